/**
 * Reads and writes confined to the workspace (issue #10: hostile pull requests). A pull request controls the files in
 * the checkout, including symbolic links, FIFOs and directories where files are expected, so:
 *
 * Reads (`readConfined`): the path is resolved to its real path, which must lie inside the real workspace (when the
 * given path does) and never under `.git/`; the file is opened without following a final symlink and without blocking
 * (a FIFO cannot hang the open), must be a regular file by `fstat` of the open descriptor, and is read with a bound that
 * holds even when fstat reports a size of 0 (/proc files). Errors name the file and what to do; they never quote the
 * file's contents.
 *
 * Writes (`prepareOutputDir`, `writeFileAtomic`): the output directory and every directory on the way to it inside the
 * workspace is created fresh or verified to be a real directory (never a symlink); files are written to a new temporary
 * file (O_EXCL | O_NOFOLLOW) in that real directory and renamed over the target, which replaces a planted symlink
 * instead of writing through it.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync, realpathSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError, type SourceLocation } from './errors.js';

export interface ConfinedReadOptions {
  /** Repository root: a path inside it must stay inside it after symbolic links are followed. */
  workspace: string;
  /** Refuse files bigger than this. */
  maxBytes: number;
  /** What the file is, for messages ('policy', 'dataset', 'model', 'features file', 'report'). */
  what: string;
  /** Where messages point (default: the path relative to the workspace). */
  location?: SourceLocation;
  /** What to do when the file is missing (appended to "<what> file not found"). */
  missingHint?: string;
  /**
   * Also refuse a path that lies outside the workspace as given (default false: a path the operator passed explicitly,
   * e.g. an absolute --policy outside the checkout, is theirs to choose; only symlinks from inside are refused).
   */
  requireInside?: boolean;
}

/** Whether `child` is `root` or lies below it (both absolute, normalised). */
export function isInside(child: string, root: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Whether a workspace-relative path has a `.git` component (the repository's own metadata: config, hooks, objects). */
export function isUnderGitDir(rel: string): boolean {
  return rel.split(/[\\/]+/).some((part) => part.toLowerCase() === '.git');
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

function displayOf(abs: string, workspace: string): string {
  const rel = relative(workspace, abs);
  return rel !== '' && isInside(abs, workspace) ? rel.split(sep).join('/') : abs;
}

function fmtBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** Resolved and checked path of an input file (no I/O on the file itself yet). */
export function confinedPath(path: string, opts: ConfinedReadOptions): { abs: string; real: string; where: SourceLocation } {
  const workspace = resolve(opts.workspace);
  const abs = resolve(workspace, path);
  const where = opts.location ?? { file: displayOf(abs, workspace) };
  const realRoot = realOrSelf(workspace);
  const givenInside = isInside(abs, workspace) || isInside(abs, realRoot);
  if (!givenInside && opts.requireInside) {
    throw new UserError(`the ${opts.what} path points outside the repository; use a path inside the workspace`, where);
  }
  let real: string;
  try {
    real = realpathSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new UserError(`${opts.what} file not found${opts.missingHint ? `; ${opts.missingHint}` : ''}`, where);
    }
    if (code === 'ELOOP') throw new UserError(`the ${opts.what} path is a loop of symbolic links; point at a regular file`, where);
    throw new UserError(`cannot read the ${opts.what} file (${code ?? 'unreadable'})`, where);
  }
  if (givenInside && !isInside(real, realRoot)) {
    throw new UserError(`the ${opts.what} file is a symbolic link to a file outside the repository; point at a regular file inside it`, where);
  }
  const relLexical = relative(workspace, abs);
  const relReal = relative(realRoot, real);
  if ((givenInside && isUnderGitDir(relLexical)) || (isInside(real, realRoot) && isUnderGitDir(relReal))) {
    throw new UserError(`the ${opts.what} file is inside .git/, the repository's own metadata; point at a file in the working tree`, where);
  }
  return { abs, real, where };
}

/** How much is read per call once the announced size is exhausted. */
const CHUNK = 1024 * 1024;

/**
 * Reads a file confined to the workspace (see the module comment). UserError naming the file when it is missing, a
 * symlink leading out, under .git/, not a regular file, or bigger than `maxBytes` (checked on the open descriptor and
 * while reading).
 */
export function readConfinedSync(path: string, opts: ConfinedReadOptions): Buffer {
  const { real, where } = confinedPath(path, opts);
  return readRegularFileSync(real, { maxBytes: opts.maxBytes, what: opts.what, where });
}

/**
 * The descriptor half of readConfinedSync, for a path already confined by the caller: open without following a final
 * symlink or blocking, fstat (regular file, size), bounded read.
 */
export function readRegularFileSync(real: string, opts: { maxBytes: number; what: string; where: SourceLocation; tooBigHint?: string }): Buffer {
  const where = opts.where;
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new UserError(`the ${opts.what} file is a symbolic link; point at a regular file`, where);
    if (code === 'EISDIR') throw new UserError(`the ${opts.what} path is a directory; point at a file`, where);
    throw new UserError(`cannot open the ${opts.what} file (${code ?? 'unreadable'})`, where);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new UserError(`the ${opts.what} path is a directory; point at a file`, where);
    if (!st.isFile()) throw new UserError(`the ${opts.what} path is not a regular file (a device, FIFO or socket); point at a regular file`, where);
    const tooBig = (n: number | string): UserError => {
      // exact byte counts when the rounded sizes would read the same ("1.0 MiB, more than the limit of 1.0 MiB")
      const exact = typeof n === 'number' && fmtBytes(n) === fmtBytes(opts.maxBytes);
      const size = typeof n === 'number' ? (exact ? `${n.toLocaleString('en-US')} bytes` : fmtBytes(n)) : n;
      const limit = exact ? `${opts.maxBytes.toLocaleString('en-US')} bytes` : fmtBytes(opts.maxBytes);
      return new UserError(`the ${opts.what} file is ${size}, more than the limit of ${limit}${opts.tooBigHint ? `; ${opts.tooBigHint}` : ''}`, where);
    };
    if (st.size > opts.maxBytes) throw tooBig(st.size);
    // read what fstat announced, then keep reading in bounded chunks (a file that grows, or reports size 0)
    let buf = Buffer.allocUnsafe(Math.min(opts.maxBytes, st.size) + 1);
    let total = 0;
    for (;;) {
      if (total === buf.length) {
        if (total > opts.maxBytes) throw tooBig(`more than ${fmtBytes(opts.maxBytes)}`);
        const next = Buffer.allocUnsafe(Math.min(opts.maxBytes + 1, Math.max(buf.length * 2, total + CHUNK)));
        buf.copy(next, 0, 0, total);
        buf = next;
      }
      let n: number;
      try {
        n = readSync(fd, buf, total, buf.length - total, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') throw new UserError(`the ${opts.what} file cannot be read without blocking; point at a regular file`, where);
        throw new UserError(`cannot read the ${opts.what} file (${code ?? 'read error'})`, where);
      }
      if (n === 0) break;
      total += n;
      if (total > opts.maxBytes) throw tooBig(`more than ${fmtBytes(opts.maxBytes)}`);
    }
    return buf.subarray(0, total);
  } finally {
    closeSync(fd);
  }
}

/** Async form of readConfinedSync (the work is synchronous: local files, bounded). */
export async function readConfined(path: string, opts: ConfinedReadOptions): Promise<Buffer> {
  return readConfinedSync(path, opts);
}

// ---------------------------------------------------------------------------------------------------------------
// Writes

/**
 * Makes `dir` a real directory and returns its real path. Inside the workspace every component from the workspace
 * down is created (mkdir, no recursion through links) or must already be a real directory: a symbolic link anywhere on
 * the way is refused, so nothing is written outside through it. Outside the workspace (an explicit --out chosen by the
 * operator) the directory is created with its parents, and the last component must not be a symlink.
 */
export function prepareOutputDir(dir: string, workspace: string, what = 'report directory'): string {
  const ws = resolve(workspace);
  const abs = resolve(ws, dir);
  const shown = displayOf(abs, ws);
  const ensure = (p: string, label: string): void => {
    let st;
    try {
      st = lstatSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserError(`cannot use the ${what} (${(e as NodeJS.ErrnoException).code})`, { file: shown });
      try {
        mkdirSync(p);
      } catch (e2) {
        throw new UserError(`cannot create the ${what} (${(e2 as NodeJS.ErrnoException).code})`, { file: shown });
      }
      st = lstatSync(p);
    }
    if (st.isSymbolicLink()) {
      throw new UserError(`\`${label}\` is a symbolic link; the ${what} must be a real directory (remove the link from the repository)`, { file: shown });
    }
    if (!st.isDirectory()) throw new UserError(`\`${label}\` is not a directory; remove it or choose another ${what}`, { file: shown });
  };
  if (isInside(abs, ws)) {
    const parts = relative(ws, abs).split(sep).filter((p) => p !== '');
    if (isUnderGitDir(parts.join('/'))) throw new UserError(`the ${what} may not be inside .git/`, { file: shown });
    let cur = ws;
    for (const part of parts) {
      cur = join(cur, part);
      ensure(cur, displayOf(cur, ws));
    }
    return realOrSelf(abs);
  }
  mkdirSync(join(abs, '..'), { recursive: true });
  ensure(abs, abs);
  return realOrSelf(abs);
}

/**
 * Writes `content` to `dir/name` (name may hold one level of subdirectory, e.g. charts/x.svg, created like the
 * directory): a new temporary file opened with O_CREAT | O_EXCL | O_NOFOLLOW in the real directory, then renamed over
 * the target, so a symlink planted at the target is replaced, never followed. Returns the file's path.
 */
export function writeFileAtomic(dir: string, name: string, content: string | Uint8Array): string {
  const parts = name.split(/[\\/]+/).filter((p) => p !== '');
  if (parts.length === 0 || parts.some((p) => p === '.' || p === '..')) throw new Error(`unsafe output file name '${name}'`);
  let base = dir;
  for (const part of parts.slice(0, -1)) {
    base = join(base, part);
    let st;
    try {
      st = lstatSync(base);
    } catch {
      mkdirSync(base);
      st = lstatSync(base);
    }
    if (st.isSymbolicLink() || !st.isDirectory()) {
      throw new UserError(`\`${parts.slice(0, -1).join('/')}\` in the report directory is a symbolic link or not a directory; remove it from the repository`, { file: base });
    }
  }
  const target = join(base, parts[parts.length - 1]!);
  const temp = join(base, `.${parts[parts.length - 1]}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o644);
  try {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
  } catch (e) {
    closeSync(fd);
    unlinkSync(temp);
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(temp, target);
  } catch (e) {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') {
      throw new UserError(`\`${name}\` in the report directory is a directory; remove it from the repository`, { file: target });
    }
    throw e;
  }
  return target;
}

/**
 * Writes one output file the CLI was asked for (`-o shard-0.bin`, `convert -o model.onnx`): its directory is prepared
 * like the report directory and the file is renamed into place, so a symlink planted at that path in the checkout is
 * replaced, never written through. Returns the path written.
 */
export function writeOutputFile(path: string, content: string | Uint8Array, workspace: string = process.cwd()): string {
  const abs = resolve(workspace, path);
  const dir = prepareOutputDir(join(abs, '..'), workspace, 'output directory');
  const name = abs.slice(abs.lastIndexOf(sep) + 1);
  return writeFileAtomic(dir, name, content);
}
