/**
 * The few git commands the baseline needs, run with execFile (no shell), a timeout and a bounded output size.
 * Blobs are read with `git cat-file blob <rev>:./<path>` — the plumbing behind `git show <rev>:<path>` for a file,
 * without textconv or filters — after `git cat-file -s` has told their size.
 */
import { execFile } from 'node:child_process';

export interface GitResult {
  ok: boolean;
  stdout: Buffer;
  stderr: string;
  /** ENOENT when git is not installed. */
  spawnError?: string;
}

const TIMEOUT_MS = 120_000;
const SMALL_OUTPUT = 1024 * 1024;

export function runGit(cwd: string, args: string[], maxBytes = SMALL_OUTPUT, input?: Buffer): Promise<GitResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'git',
      ['-C', cwd, ...args],
      { encoding: 'buffer', maxBuffer: maxBytes, timeout: TIMEOUT_MS, windowsHide: true, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_LFS_SKIP_SMUDGE: '1' } },
      (error, stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { code?: string | number }) | null;
        const stderrText = Buffer.isBuffer(stderr) ? stderr.toString('utf8') : String(stderr ?? '');
        if (err && typeof err.code === 'string' && err.code === 'ENOENT') {
          resolve({ ok: false, stdout: Buffer.alloc(0), stderr: stderrText, spawnError: 'ENOENT' });
          return;
        }
        if (err && typeof err.code === 'string' && err.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
          resolve({ ok: false, stdout: Buffer.alloc(0), stderr: `output larger than ${maxBytes} bytes` });
          return;
        }
        resolve({ ok: !err, stdout: Buffer.isBuffer(stdout) ? stdout : Buffer.from(stdout ?? ''), stderr: stderrText });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** First line of git's complaint, for messages. */
export function gitComplaint(r: GitResult): string {
  const line = r.stderr.split('\n').map((l) => l.trim()).find((l) => l.length > 0);
  return line ?? 'git failed';
}

/** The full sha of a commit-ish, or null when it does not name a commit in this repository. */
export async function resolveCommit(cwd: string, rev: string): Promise<string | null> {
  if (rev.startsWith('-')) return null;
  const r = await runGit(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
  if (!r.ok) return null;
  const sha = r.stdout.toString('utf8').trim();
  return /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
}

/** Size in bytes of the blob at `object` (e.g. '<sha>:./models/m.onnx'), or null when there is no such blob. */
export async function blobSize(cwd: string, object: string): Promise<number | null> {
  const type = await runGit(cwd, ['cat-file', '-t', object]);
  if (!type.ok || type.stdout.toString('utf8').trim() !== 'blob') return null;
  const r = await runGit(cwd, ['cat-file', '-s', object]);
  if (!r.ok) return null;
  const n = Number(r.stdout.toString('utf8').trim());
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/** The bytes of a blob whose size is known (bounded by it). */
export async function readBlob(cwd: string, object: string, size: number): Promise<Buffer> {
  const r = await runGit(cwd, ['cat-file', 'blob', object], size + 1);
  if (!r.ok) throw new Error(gitComplaint(r));
  return r.stdout;
}

/** Whether cwd is inside a git work tree; the complaint when not (or when git is missing / refuses the directory). */
export async function gitWorkTree(cwd: string): Promise<{ ok: true } | { ok: false; why: string; missingGit: boolean }> {
  const r = await runGit(cwd, ['rev-parse', '--is-inside-work-tree']);
  if (r.spawnError) return { ok: false, why: 'git is not installed', missingGit: true };
  if (r.ok && r.stdout.toString('utf8').trim() === 'true') return { ok: true };
  return { ok: false, why: gitComplaint(r), missingGit: false };
}

/** A Git LFS pointer instead of the file's content. */
export function isLfsPointer(bytes: Buffer): boolean {
  return bytes.length < 1024 && bytes.subarray(0, 40).toString('latin1').startsWith('version https://git-lfs.github.com/spec/');
}
