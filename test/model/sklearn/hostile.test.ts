/**
 * Hostile pickles built byte by byte: every one ends in one clean refusal (PickleRefusal / ArtifactRefusal with a
 * message), never a crash, a hang, a stack overflow or an allocation the file did not pay for.
 */
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readJoblib } from '../../../src/model/pickle/joblib.js';
import { PickleRefusal, readPickle } from '../../../src/model/pickle/reader.js';
import { PyObject } from '../../../src/model/pickle/values.js';
import { ArtifactRefusal, openForeignModel } from '../../../src/model/sklearn/load.js';
import { sk } from './helpers.js';

const enc = new TextEncoder();
/** A tiny pickle writer: opcodes as bytes. */
class P {
  readonly b: number[] = [0x80, 4];
  op(...bytes: number[]): this {
    this.b.push(...bytes);
    return this;
  }
  u32(v: number): number[] {
    return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
  }
  str(s: string): this {
    const t = enc.encode(s);
    return this.op(0x8c, t.length, ...t);
  }
  int(v: number): this {
    return this.op(0x4a, ...this.u32(v));
  }
  global(m: string, n: string): this {
    return this.op(0x63, ...enc.encode(`${m}\n${n}\n`));
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.b);
  }
}

function refused(f: () => unknown): PickleRefusal {
  try {
    f();
  } catch (e) {
    if (e instanceof PickleRefusal) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('hostile pickles end in one clean refusal', () => {
  it('deep nesting through the memo (5,000 levels, stack size 1)', () => {
    const p = new P().op(0x5d, 0x94); // L0, memo 0
    for (let k = 1; k <= 5000; k++) p.op(0x5d, 0x94, 0x61, 0x30, 0x6a, ...p.u32(k)); // new list, memo k, append to the previous, pop, get k
    p.op(0x30, 0x6a, ...p.u32(0), 0x2e); // pop, get L0, STOP
    const r = refused(() => readPickle(p.bytes()));
    expect(r.finding.kind).toBe('limit');
    expect(r.message).toMatch(/nests containers more than 200 deep/);
  });

  it('deep nesting with marks (100,000 MARK opcodes) is bounded by the stack limit', () => {
    const p = new P();
    for (let i = 0; i < 100_000; i++) p.op(0x28);
    p.op(0x2e);
    const r = refused(() => readPickle(p.bytes(), { limits: { maxStack: 10_000 } }));
    expect(r.message).toMatch(/too many marks|stack/);
  });

  it('a huge memo index', () => {
    const r = refused(() => readPickle(new P().op(0x4e, 0x72, 0xff, 0xff, 0xff, 0xff, 0x2e).bytes()));
    expect(r.finding.kind).toBe('limit');
    expect(r.message).toContain('memo index 4294967295');
  });

  it('a memo read before it was written', () => {
    const r = refused(() => readPickle(new P().op(0x6a, 0, 0, 0, 7, 0x2e).bytes()));
    expect(r.message).toMatch(/memo entry \d+ read before it was written/);
  });

  const wrapper = (shape: number[], extra: number[] = []): Uint8Array => {
    const p = new P().global('joblib.numpy_pickle', 'NumpyArrayWrapper').op(0x29, 0x81, 0x7d, 0x28);
    p.str('shape');
    for (const s of shape) {
      // LONG1 for values beyond int32
      const bytes: number[] = [];
      let v = BigInt(s);
      while (v > 0n) {
        bytes.push(Number(v & 0xffn));
        v >>= 8n;
      }
      bytes.push(0);
      p.op(0x8a, bytes.length, ...bytes);
    }
    p.op(shape.length === 1 ? 0x85 : 0x86);
    p.str('order').str('C').str('dtype').global('numpy', 'dtype').str('f8').op(0x89, 0x88, 0x87, 0x52);
    p.op(0x28).int(3).str('<').op(0x4e, 0x4e, 0x4e).int(-1).int(-1).int(0).op(0x74, 0x62); // dtype state, BUILD
    p.str('allow_mmap').op(0x89);
    p.op(0x75, 0x62); // SETITEMS, BUILD -> joblib reads the array bytes here
    p.op(...extra);
    return p.bytes();
  };

  it('a giant array header (10^12 float64) is refused before any allocation', () => {
    const r = refused(() => readJoblib(wrapper([1e12])));
    expect(r.finding.kind).toBe('limit');
    expect(r.message).toMatch(/8000000000000 bytes .* above the \d+-byte limit/);
  });

  it('an array header larger than the bytes that follow', () => {
    const r = refused(() => readJoblib(wrapper([1000], [1, 2, 3, 4, 0x2e])));
    expect(r.message).toMatch(/needs 8000 bytes but the stream has 5 left/);
  });

  it('a well-formed joblib array record is read (control)', () => {
    const data = new Float64Array([1.5, -2, 3]);
    const b = wrapper([3], [...new Uint8Array(data.buffer), 0x2e]);
    const r = readJoblib(b);
    expect(r.arrays).toBe(1);
    expect(r.value).toMatchObject({ shape: [3] });
  });

  it('a truncated file (a real joblib cut in half)', () => {
    const full = new Uint8Array(readFileSync(sk('adult', 'lr_pipeline.joblib')));
    const r = refused(() => readJoblib(full.subarray(0, full.length >> 1)));
    expect(r.finding.kind).toBe('malformed');
    expect(r.message).toMatch(/truncated/);
  });

  it('a truncated zlib stream', () => {
    const full = new Uint8Array(readFileSync(sk('adult', 'rf_pipeline.joblib')));
    const r = refused(() => readJoblib(full.subarray(0, 5000)));
    expect(r.message).toMatch(/zlib stream is corrupt or truncated/);
  });

  it('a decompression bomb stops at the allocation limit', () => {
    const bomb = deflateSync(new Uint8Array(20 * 1024 * 1024));
    const r = refused(() => readJoblib(new Uint8Array(bomb), { maxTotalBytes: 1024 * 1024 }));
    expect(r.finding.kind).toBe('compression');
    expect(r.message).toMatch(/expands beyond/);
  });

  it('too many opcodes (a flood of small objects) stops at the opcode limit', () => {
    const p = new P().op(0x5d);
    for (let i = 0; i < 5000; i++) p.op(0x5d, 0x61); // append an empty list, 5,000 times
    p.op(0x2e);
    const r = refused(() => readPickle(p.bytes(), { limits: { maxOps: 1000 } }));
    expect(r.message).toBe('more than 1000 pickle opcodes');
  });

  it('an unknown opcode', () => {
    const r = refused(() => readPickle(new P().op(0xff, 0x2e).bytes()));
    expect(r.message).toMatch(/unknown opcode 0xff/);
  });

  it('STACK_GLOBAL with names from the memo, INST and OBJ: still resolved against the allowlist', () => {
    const viaMemo = new P().str('os').op(0x94).str('system').op(0x94, 0x30, 0x30, 0x68, 0, 0x68, 1, 0x93, 0x2e).bytes();
    expect(refused(() => readPickle(viaMemo)).finding.global).toBe('os.system');
    const inst = new P().op(0x28).str('id').op(0x69, ...enc.encode('subprocess\ncheck_output\n'), 0x2e).bytes();
    expect(refused(() => readPickle(inst)).finding.global).toBe('subprocess.check_output');
    const obj = new P().op(0x28).global('builtins', 'exec').str('print(1)').op(0x6f, 0x2e).bytes();
    expect(refused(() => readPickle(obj)).finding.global).toBe('builtins.exec');
  });

  it('a persistent id and the extension registry are refused', () => {
    expect(refused(() => readPickle(new P().str('x').op(0x51, 0x2e).bytes())).finding.kind).toBe('persistent-id');
    expect(refused(() => readPickle(new P().op(0x82, 1, 0x2e).bytes())).finding.kind).toBe('extension-registry');
  });

  it('an allowlisted class cannot smuggle a call through copyreg._reconstructor', () => {
    const p = new P().global('copyreg', '_reconstructor').global('os', 'system');
    expect(refused(() => readPickle(p.bytes())).finding.global).toBe('os.system');
  });

  it('a self-referencing list is read as data without recursion', () => {
    const r = readPickle(new P().op(0x5d, 0x94, 0x68, 0, 0x61, 0x2e).bytes());
    expect(Array.isArray(r.value)).toBe(true);
    expect((r.value as unknown[])[0]).toBe(r.value);
  });

  it('scikit-learn classes read as data carry their state; a scikit-learn function is refused', () => {
    const cls = new P().global('sklearn.preprocessing._data', 'StandardScaler').op(0x29, 0x81, 0x7d).str('with_mean').op(0x88, 0x73, 0x62, 0x2e).bytes();
    const v = readPickle(cls).value as PyObject;
    expect(v).toBeInstanceOf(PyObject);
    expect(v.attr('with_mean')).toBe(true);
    const fn = new P().global('sklearn.utils', 'deprecated').op(0x2e).bytes();
    expect(refused(() => readPickle(fn)).finding.kind).toBe('disallowed-global');
  });

  it("another library's model inside a pickle: refused, with what to commit instead", () => {
    const r = refused(() => readPickle(new P().global('xgboost.sklearn', 'XGBClassifier').op(0x29, 0x81, 0x2e).bytes()));
    expect(r.finding.kind).toBe('disallowed-global');
    expect(r.message).toContain('booster.save_model("model.json")');
  });

  it('the file-level entry names the refusal and marks the scan unsafe', () => {
    try {
      openForeignModel(new P().global('nt', 'system').op(0x2e).bytes());
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(ArtifactRefusal);
      expect((e as ArtifactRefusal).reason).toBe('unsafe');
      expect((e as ArtifactRefusal).message).toMatch(/^unsafe model file: the pickle names `nt.system` at byte 2/);
    }
  });
});
