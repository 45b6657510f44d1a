/** The named segments a route pattern captured, e.g. `{id: '42'}` for `/readers/:id`. */
export type RouteParams = Readonly<Record<string, string>>;

/**
 * Matches a pathname against a pattern such as `/readers/:id`. Returns the decoded parameters,
 * or null when the path does not match. A trailing slash on the path is ignored.
 */
export function matchRoute(pattern: string, pathname: string): RouteParams | null {
  const patternParts = splitPath(pattern);
  const pathParts = splitPath(pathname);
  if (patternParts.length !== pathParts.length) return null;
  const params: Record<string, string> = {};
  for (const [index, patternPart] of patternParts.entries()) {
    const pathPart = pathParts[index] ?? '';
    if (patternPart.startsWith(':')) {
      const value = safeDecode(pathPart);
      if (value === null || value === '') return null;
      params[patternPart.slice(1)] = value;
    } else if (patternPart !== pathPart) {
      return null;
    }
  }
  return params;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((part) => part !== '');
}

function safeDecode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

/** Reads a positive integer id from a route parameter, or null if it is not one. */
export function parsePositiveId(value: string | undefined): number | null {
  if (value === undefined || !/^[1-9][0-9]{0,15}$/.test(value)) return null;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : null;
}
