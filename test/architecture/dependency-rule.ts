import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';

/**
 * The dependency rule of ARCHITECTURE.md ("Layers"), as data and a checker. A file's layer is
 * its first folder under src/ (domain, sqlite, http...) or, for a file directly in src/, its
 * name (main.ts, config.ts). Every import counts: `import`, `import type`, `export ... from`,
 * `import('...')` and `typeof import('...')`.
 */

/** The folders of the two storage engines. */
export const ENGINES = ['sqlite', 'postgres'] as const;

/**
 * The composition root: the only files that may name an engine. A per-engine entry that
 * main.ts composes outside the engines' folders joins this list, with its reason.
 */
export const COMPOSITION_ROOT: readonly string[] = ['main.ts'];

/** The use-case layer's folder, under either of the names the architecture leaves open. */
const USE_CASES = ['application', 'use-cases', 'usecases'];

/**
 * The layers of ours each layer may import (besides itself). A layer not named here (a new
 * folder) is held only to the rules every file obeys: no engine outside the composition root,
 * nothing imports the composition root or the CLI.
 */
export const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  domain: [],
  sqlite: ['domain'],
  postgres: ['domain'],
  auth: ['domain'],
  live: ['domain'],
  ...Object.fromEntries(USE_CASES.map((layer) => [layer, ['domain', 'live']])),
  // The LRS at /xapi: its own validation and resources over ports, mapping statements into use cases.
  xapi: ['domain', 'auth', 'live', ...USE_CASES],
  // http/ mounts the LRS and serves its credentials; cli/ makes credentials.
  http: ['domain', 'auth', 'live', ...USE_CASES, 'xapi', 'config.ts', 'logger.ts'],
  cli: ['domain', 'auth', 'live', ...USE_CASES, 'xapi', 'config.ts', 'logger.ts'],
  'config.ts': ['domain'],
  'logger.ts': ['domain', 'config.ts'],
};

/** Packages that name an engine: only that engine's folder (and the composition root) may use them. */
export const ENGINE_PACKAGES: Readonly<Record<string, (typeof ENGINES)[number]>> = {
  'better-sqlite3': 'sqlite',
  pg: 'postgres',
  'pg-cursor': 'postgres',
  'pg-query-stream': 'postgres',
};

/** A known break of the rule, kept while its fix lands elsewhere; each entry says why. */
export interface AllowedImport {
  /** The importing file, relative to src/ (e.g. `live/x.ts`). */
  readonly file: string;
  /** The imported file, relative to src/, or the package name. */
  readonly imports: string;
  readonly reason: string;
}

export interface Violation {
  /** The importing file, relative to the project (`src/domain/user.ts`). */
  readonly file: string;
  readonly line: number;
  /** The specifier as written. */
  readonly specifier: string;
  /** What it resolves to (`src/sqlite/rows.ts`) or the package name. */
  readonly target: string;
  readonly rule: string;
}

/** `file: line imports 'specifier' (target): rule`, the form a failing test prints. */
export function describeViolation(v: Violation): string {
  return `${v.file}:${v.line} imports '${v.specifier}' (${v.target}): ${v.rule}`;
}

/** Every .ts/.tsx file under `dir`, keyed by its path relative to `dir` with `/` separators. */
export function readSources(dir: string): Map<string, string> {
  const sources = new Map<string, string>();
  const walk = (relative: string) => {
    for (const entry of readdirSync(join(dir, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|tsx|mts|cts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) sources.set(path, readFileSync(join(dir, path), 'utf8'));
    }
  };
  walk('');
  return sources;
}

/**
 * The module specifiers a file imports, with their lines: static, type-only, re-exports,
 * `import x = require()`, dynamic `import()` and `import('...')` types. TypeScript's import
 * scanner reads tokens, so comments and strings that look like imports are not taken for them.
 */
export function importsOf(text: string): { specifier: string; line: number }[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((reference) => ({
    specifier: reference.fileName,
    line: text.slice(0, reference.pos).split('\n').length,
  }));
}

/** The layer of a path relative to src/: its first folder, or its own name at the top. */
export function layerOf(path: string): string {
  const slash = path.indexOf('/');
  return slash === -1 ? path : path.slice(0, slash);
}

const isEngine = (layer: string): boolean => (ENGINES as readonly string[]).includes(layer);

/**
 * Checks every import of `sources` (paths relative to src/) against the rule; returns the
 * breaks not in `allowed`, in file order. Relative imports are resolved (`.js` names the `.ts`
 * source); a package is judged by its name.
 */
export function checkDependencyRule(sources: ReadonlyMap<string, string>, allowed: readonly AllowedImport[] = []): Violation[] {
  const violations: Violation[] = [];
  for (const [file, text] of [...sources].sort(([a], [b]) => a.localeCompare(b))) {
    const from = layerOf(file);
    const inRoot = COMPOSITION_ROOT.includes(file);
    for (const { specifier, line } of importsOf(text)) {
      const report = (target: string, shown: string, rule: string) => {
        if (allowed.some((a) => a.file === file && a.imports === target)) return;
        violations.push({ file: `src/${file}`, line, specifier, target: shown, rule });
      };
      if (!specifier.startsWith('.')) {
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
        const engine = ENGINE_PACKAGES[name];
        if (engine && engine !== from && !inRoot) report(name, name, `the ${engine} driver is used only in src/${engine}/ (and the composition root)`);
        continue;
      }
      const resolved = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.(m|c)?js$/, '.$1ts').replace(/\.jsx$/, '.tsx');
      if (resolved.startsWith('../') || resolved === '..') {
        report(resolved, resolved.replace(/^\.\.\//, ''), 'src/ imports nothing from outside src/');
        continue;
      }
      const to = layerOf(resolved);
      const shown = `src/${resolved}`;
      if (to === from) continue;
      if (COMPOSITION_ROOT.includes(resolved) || to === 'cli') {
        // The CLI is an entry point like main: it is composed, never imported (except by main).
        if (!(inRoot && to === 'cli')) report(resolved, shown, `nothing imports the entry points (${COMPOSITION_ROOT.join(', ')}, cli/)`);
        continue;
      }
      if (inRoot) continue;
      if (isEngine(to)) {
        report(resolved, shown, `only the composition root (${COMPOSITION_ROOT.map((f) => `src/${f}`).join(', ')}) imports an engine`);
        continue;
      }
      const mayImport = MAY_IMPORT[from];
      if (mayImport && !mayImport.includes(to)) {
        report(
          resolved,
          shown,
          mayImport.length === 0
            ? `${from}/ imports nothing of ours outside ${from}/`
            : `${from}${from.endsWith('.ts') ? '' : '/'} imports only ${mayImport.map((l) => (l.endsWith('.ts') ? l : `${l}/`)).join(', ')}`,
        );
      }
    }
  }
  return violations;
}
