/** A code name (camelCase, snake_case, dotted) or JSON where people should read words. */
export const CODE_LIKE = /\b[a-z]+[A-Z]\w*\b|\b\w+_\w+\b|\b[a-z]+\.[a-z]\w*|[{}[\]"]/;
