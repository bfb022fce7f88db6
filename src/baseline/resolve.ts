/**
 * Finding the base model (issue #6): the base commit of the pull request (GITHUB_EVENT_PATH: pull_request.base.sha,
 * or merge_group.base_sha) or an explicit `--baseline <file-or-git-rev>`; its version of model.path is read from git
 * into a temporary file. The PR's model bytes are compared first: identical bytes -> 'unchanged' (nothing to score).
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve as resolvePath, sep } from 'node:path';
import { UserError, type SourceLocation } from '../util/errors.js';
import { isUnderGitDir, readConfinedSync } from '../util/safe-fs.js';
import { blobSize, gitWorkTree, isLfsPointer, readBlob, resolveCommit } from './git.js';
import { DEFAULT_MAX_BASE_MODEL_BYTES } from './policy.js';

export interface BaselineRequest {
  /** Repository checkout the policy paths are relative to. */
  workspace: string;
  /** model.path as written in the policy (relative to the workspace). */
  modelPath: string;
  /** dataset.path as written in the policy; when given, a changed dataset on the base commit is fetched too. */
  datasetPath?: string;
  /** `--baseline` value: a model file, a git revision (branch, tag, sha), or `<rev>:<path>`. */
  explicit?: string;
  /** Path of the GitHub event payload (GITHUB_EVENT_PATH). */
  eventPath?: string;
  /** Refuse bigger base models (policy baseline.max_model_bytes). */
  maxBytes?: number;
  /** Where a UserError about the baseline should point (e.g. the policy's `baseline` key). */
  location?: SourceLocation;
}

export type ResolvedBaseline =
  | { kind: 'none'; reason: string }
  | { kind: 'unchanged'; source: string; sha256: string; bytes: number }
  | {
      kind: 'model';
      source: string;
      /** Local file holding the base model (a temporary file when it came from git). */
      file: string;
      sha256: string;
      bytes: number;
      /** The base commit's dataset, when it differs from the workspace's (temporary file). */
      datasetFile?: string;
      /** Removes the temporary files. */
      cleanup(): Promise<void>;
    };

const MAX_EVENT_BYTES = 25 * 1024 * 1024;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A path inside the workspace, in git's `./relative/posix` form; UserError when it leaves the workspace. */
function gitRelative(workspace: string, path: string, location?: SourceLocation): string {
  const abs = isAbsolute(path) ? path : resolvePath(workspace, path);
  const rel = relative(workspace, abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new UserError(`the model path '${path}' is outside the workspace, so its base version cannot be read from git; pass --baseline <file>`, location);
  }
  return `./${rel.split(sep).join('/')}`;
}

/** The base commit of the pull request (or merge group) that triggered the workflow, or null. */
export async function baseShaFromEvent(eventPath: string | undefined): Promise<string | null> {
  if (!eventPath || !existsSync(eventPath)) return null;
  if (statSync(eventPath).size > MAX_EVENT_BYTES) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(await readFile(eventPath, 'utf8'));
  } catch {
    return null;
  }
  const p = payload as { pull_request?: { base?: { sha?: unknown } }; merge_group?: { base_sha?: unknown } };
  const sha = p.pull_request?.base?.sha ?? p.merge_group?.base_sha;
  return typeof sha === 'string' && /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
}

async function currentFingerprint(workspace: string, modelPath: string, maxBytes: number): Promise<{ sha256: string; bytes: number } | null> {
  const abs = isAbsolute(modelPath) ? modelPath : resolvePath(workspace, modelPath);
  if (!existsSync(abs)) return null;
  const size = statSync(abs).size;
  if (size > maxBytes) return null;
  const bytes = await readFile(abs);
  return { sha256: sha256(bytes), bytes: bytes.length };
}

async function writeTemp(dir: string, name: string, bytes: Uint8Array): Promise<string> {
  const safe = basename(name).replace(/[^A-Za-z0-9._-]/g, '_') || 'file';
  const file = join(dir, safe);
  await writeFile(file, bytes);
  return file;
}

function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

/**
 * Resolves the base model. 'none' when there is nothing to compare with (not a pull request and no --baseline; the
 * model is new in this pull request); 'unchanged' when its bytes equal the PR's; otherwise 'model' with a local file.
 * UserError, with what to change, when the base commit is missing from the checkout (shallow clone), git is missing,
 * the workspace is not a git checkout, or the base model is too big or a Git LFS pointer.
 */
export async function resolveBaselineModel(req: BaselineRequest): Promise<ResolvedBaseline> {
  const maxBytes = req.maxBytes ?? DEFAULT_MAX_BASE_MODEL_BYTES;
  const where = req.location;

  // 1. --baseline <file>
  if (req.explicit !== undefined) {
    const candidate = isAbsolute(req.explicit) ? req.explicit : resolvePath(req.workspace, req.explicit);
    const looksLikeRevPath = !isAbsolute(req.explicit) && /^[^/\\]*:/.test(req.explicit);
    if (!looksLikeRevPath && existsSync(candidate) && statSync(candidate).isFile()) {
      const size = statSync(candidate).size;
      if (size > maxBytes) throw new UserError(`--baseline ${req.explicit} is ${size} bytes, more than baseline.max_model_bytes ${maxBytes}`, where);
      // confined like every input (issue #10): no symlink from the workspace to outside, not under .git/, a regular file
      // (fstat on the open descriptor), a bounded read
      const bytes = readConfinedSync(candidate, { workspace: req.workspace, maxBytes, what: 'baseline model', location: where ?? { file: req.explicit } });
      const rel = relative(req.workspace, candidate);
      const shown = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : req.explicit;
      return finish(req, `file ${shown}`, bytes, async () => candidate, async () => {});
    }
  }

  // 2. a git revision: explicit, or the pull request's base commit
  let rev: string | undefined = req.explicit;
  let origin = rev !== undefined ? `--baseline ${rev}` : '';
  if (rev === undefined) {
    const sha = await baseShaFromEvent(req.eventPath);
    if (sha === null) return { kind: 'none', reason: 'no base model: not a pull request event and no --baseline given' };
    rev = sha;
    origin = 'pull request base';
  }
  const tree = await gitWorkTree(req.workspace);
  if (!tree.ok) {
    if (tree.missingGit) throw new UserError(`git is not installed, so the base model cannot be read (${origin}); install git or pass --baseline <model file>`, where);
    if (/dubious ownership/i.test(tree.why)) {
      throw new UserError(`git refuses the workspace '${req.workspace}' (${tree.why}); run 'git config --global --add safe.directory "${req.workspace}"' before this step`, where);
    }
    throw new UserError(`the workspace '${req.workspace}' is not a git checkout (${tree.why}); run actions/checkout before this step, or pass --baseline <model file>`, where);
  }

  // `<rev>:<path>` names the blob directly
  let commit: string | null;
  let modelObject: string;
  const colon = req.explicit !== undefined ? req.explicit.indexOf(':') : -1;
  if (colon > 0) {
    const path = req.explicit!.slice(colon + 1);
    // the path part is read from git's object store, relative to the workspace: it may not leave the repository
    const inRepo = isAbsolute(path) || path.startsWith('/') ? relative(req.workspace, path) : relative(req.workspace, resolvePath(req.workspace, path));
    if (path === '' || inRepo === '' || inRepo.startsWith('..') || isAbsolute(inRepo) || isUnderGitDir(inRepo)) {
      throw new UserError(`--baseline '${req.explicit}': the path after ':' must name a file inside the repository (not outside it, not under .git/), e.g. main:models/model.onnx`, where);
    }
    commit = await resolveCommit(req.workspace, req.explicit!.slice(0, colon));
    modelObject = `${commit ?? req.explicit!.slice(0, colon)}:${path.startsWith('./') || path.startsWith('/') ? path : `./${path}`}`;
  } else {
    commit = await resolveCommit(req.workspace, rev);
    modelObject = `${commit}:${gitRelative(req.workspace, req.modelPath, where)}`;
  }
  if (commit === null) {
    if (req.explicit !== undefined) {
      throw new UserError(`--baseline '${req.explicit}' is neither a file nor a git revision of this repository; give a model file, a branch, a tag or a commit (fetch it first if it is remote)`, where);
    }
    throw new UserError(
      `the pull request's base commit ${shortSha(rev)} is not in this checkout (a shallow clone?); set 'fetch-depth: 0' on actions/checkout, or run 'git fetch --no-tags --depth=1 origin ${rev}' before this step`,
      where,
    );
  }
  const described = `${origin === 'pull request base' ? 'base commit' : 'commit'} ${shortSha(commit)} (${origin})`;

  const size = await blobSize(req.workspace, modelObject);
  if (size === null && colon > 0) {
    throw new UserError(`--baseline '${req.explicit}': no such file at that revision; check the path after ':' (relative to the repository root)`, where);
  }
  if (size === null) {
    return { kind: 'none', reason: `no base model: ${modelObject.slice(modelObject.indexOf(':') + 1).replace(/^\.\//, '')} does not exist at ${described} (a new model)` };
  }
  if (size > maxBytes) {
    throw new UserError(`the base model at ${described} is ${size} bytes, more than baseline.max_model_bytes ${maxBytes}; raise the limit or pass --baseline <file>`, where);
  }
  const bytes = await readBlob(req.workspace, modelObject, size);
  if (isLfsPointer(bytes)) {
    throw new UserError(
      `the base model at ${described} is a Git LFS pointer; fetch its LFS object (actions/checkout with 'lfs: true' and 'fetch-depth: 0', then 'git lfs fetch origin ${commit}') or pass --baseline <model file>`,
      where,
    );
  }
  const source = `${described}, ${modelObject.slice(modelObject.indexOf(':') + 1).replace(/^\.\//, '')}`;
  return finish(req, source, bytes, async (dir) => writeTemp(dir, req.modelPath, bytes), async (dir, result) => {
    if (!req.datasetPath) return;
    const datasetObject = `${commit}:${gitRelative(req.workspace, req.datasetPath, where)}`;
    const dsSize = await blobSize(req.workspace, datasetObject);
    if (dsSize === null) return;
    const current = await currentFingerprint(req.workspace, req.datasetPath, Number.MAX_SAFE_INTEGER);
    if (dsSize > maxBytes) return;
    const dsBytes = await readBlob(req.workspace, datasetObject, dsSize);
    if (isLfsPointer(dsBytes)) return;
    if (current && current.sha256 === sha256(dsBytes)) return;
    result.datasetFile = await writeTemp(dir, req.datasetPath, dsBytes);
  });
}

async function finish(
  req: BaselineRequest,
  source: string,
  bytes: Buffer,
  place: (dir: string) => Promise<string>,
  extra: (dir: string, result: { datasetFile?: string }) => Promise<void>,
): Promise<ResolvedBaseline> {
  const baseSha = sha256(bytes);
  const current = await currentFingerprint(req.workspace, req.modelPath, Math.max(req.maxBytes ?? DEFAULT_MAX_BASE_MODEL_BYTES, bytes.length));
  if (current && current.sha256 === baseSha) return { kind: 'unchanged', source, sha256: baseSha, bytes: bytes.length };
  const dir = await mkdtemp(join(tmpdir(), 'model-risk-gate-baseline-'));
  const cleanup = async (): Promise<void> => {
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const file = await place(dir);
    const result: { datasetFile?: string } = {};
    await extra(dir, result);
    const out: ResolvedBaseline = { kind: 'model', source, file, sha256: baseSha, bytes: bytes.length, cleanup };
    if (result.datasetFile) out.datasetFile = result.datasetFile;
    return out;
  } catch (e) {
    await cleanup();
    throw e;
  }
}
