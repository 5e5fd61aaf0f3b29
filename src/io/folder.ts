/**
 * The profiles in a folder, sub-folders too, as `flameprof DIR` merges them and `flameprof
 * serve DIR` lists them: each folder once (links can make loops), symlinks followed only where
 * they stay inside, hidden files and folders and node_modules skipped, only names a profile
 * has (PROFILE_FILE). Asynchronous, so that a server walking 100,000 files keeps answering.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { InputError } from '../errors';
import { PROFILE_FILE } from '../import/registry';

export interface FoundFile {
  /** Path under the folder, `/`-separated. */
  readonly rel: string;
  /** The file to read: where a link inside the folder leads, else the path itself. */
  readonly full: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Whether a path under the folder (`/`-separated) is one we list: nothing hidden, a profile's name. */
export function listed(rel: string): boolean {
  const parts = rel.split('/');
  return parts.every((p) => !p.startsWith('.') && p !== 'node_modules') && PROFILE_FILE.test(parts[parts.length - 1]);
}

/** How many files are examined at once: enough to keep the file system busy, few enough for its thread pool. */
const AT_ONCE = 64;

/**
 * Every profile under `root` (a real path: see realpath), in no particular order. `onFolder`
 * hears of each folder visited, with its path under `root` ('' for the root), so that a
 * caller can watch them.
 */
export async function findProfiles(root: string, onFolder?: (full: string, rel: string) => void): Promise<FoundFile[]> {
  const found: FoundFile[] = [];
  const seen = new Set<string>();
  const inside = (p: string): boolean => p === root || p.startsWith(root + sep);
  const visit = async (dir: string, rel: string, depth: number): Promise<void> => {
    let real: string;
    try {
      real = await realpath(dir);
    } catch {
      return;
    }
    if (depth > 32 || seen.has(real)) return;
    seen.add(real);
    onFolder?.(dir, rel);
    let names;
    try {
      names = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const folders: Array<[string, string]> = [];
    const look = async (d: (typeof names)[number]): Promise<void> => {
      if (d.name.startsWith('.') || d.name === 'node_modules') return;
      const full = join(dir, d.name);
      const path = rel === '' ? d.name : `${rel}/${d.name}`;
      let target = full;
      try {
        if (d.isSymbolicLink()) {
          target = await realpath(full);
          if (!inside(target)) return;
        } else if (d.isDirectory()) {
          folders.push([full, path]);
          return;
        } else if (!d.isFile() || !PROFILE_FILE.test(d.name)) {
          return;
        }
        const s = await stat(target);
        if (s.isDirectory()) folders.push([full, path]);
        else if (s.isFile() && PROFILE_FILE.test(d.name)) found.push({ rel: path, full: target, size: s.size, mtimeMs: s.mtimeMs });
      } catch {
        // Gone since it was listed, or unreadable: not a profile to list.
      }
    };
    for (let i = 0; i < names.length; i += AT_ONCE) await Promise.all(names.slice(i, i + AT_ONCE).map(look));
    for (const [full, path] of folders) await visit(full, path, depth + 1);
  };
  await visit(root, '', 0);
  return found;
}

/**
 * Inputs with each folder replaced by the profiles under it whose path matches `files` (all
 * when undefined), in path order; files (and `-`) as given. `folders` says how many there were.
 */
export async function expandFolders(paths: readonly string[], files: RegExp | undefined): Promise<{ paths: string[]; folders: number }> {
  const out: string[] = [];
  let folders = 0;
  for (const p of paths) {
    let root: string | undefined;
    try {
      if (p !== '-' && (await stat(p)).isDirectory()) root = await realpath(p);
    } catch {
      // Not there, or unreadable: its reader says why, naming it.
    }
    if (root === undefined) {
      out.push(p);
      continue;
    }
    folders++;
    const found = (await findProfiles(root)).filter((f) => files === undefined || files.test(f.rel)).sort(byPath);
    if (found.length === 0) throw new InputError(`${p}: ${files === undefined ? 'no profiles in this folder' : `no profile in this folder matches ${files.source}`}`);
    for (const f of found) out.push(join(p, ...f.rel.split('/')));
  }
  return { paths: out, folders };
}

/**
 * Paths in the order `LC_ALL=C ls` and the shell's globs list them: by their UTF-8 bytes,
 * which is code point order (JavaScript's `<` compares UTF-16 units, which differs above U+FFFF).
 */
export function byPath(a: { readonly rel: string }, b: { readonly rel: string }): number {
  const x = a.rel;
  const y = b.rel;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const u = x.charCodeAt(i);
    const v = y.charCodeAt(i);
    if (u !== v) return codePointRank(u) - codePointRank(v);
  }
  return x.length - y.length;
}

/** A UTF-16 unit moved so that surrogates (code points above U+FFFF) sort after U+E000..U+FFFF. */
function codePointRank(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit;
}
