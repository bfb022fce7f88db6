/**
 * Source positions of a parsed YAML/JSON document, by JSON pointer: where each value starts and, for object members,
 * where the key starts (unknown keys are reported at the key). Built once from the yaml package's node ranges.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { PolicyPointer } from './types.js';

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface PositionIndex {
  /** Pointer string -> start of the value. */
  values: Map<string, Position>;
  /** Pointer string -> start of the key naming that member. */
  keys: Map<string, Position>;
}

/** RFC 6901: '/checks/performance/roc_auc/min'; the root is ''. */
export function pointerString(pointer: PolicyPointer): string {
  return pointer.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function parsePointer(text: string): string[] {
  if (text === '') return [];
  return text
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** 'checks.performance.roc_auc.min', 'sensitive[0].bins' — how messages name a place in the policy. */
export function pointerPath(pointer: PolicyPointer): string {
  let out = '';
  for (const seg of pointer) {
    if (typeof seg === 'number' || /^\d+$/.test(String(seg))) out += `[${seg}]`;
    else out += (out === '' ? '' : '.') + seg;
  }
  return out === '' ? '(top level)' : out;
}

export function buildPositionIndex(doc: Document, lineCounter: LineCounter): PositionIndex {
  const values = new Map<string, Position>();
  const keys = new Map<string, Position>();
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const walk = (node: unknown, pointer: string): void => {
    if (node === null || node === undefined) return;
    const n = node as Node;
    if (n.range) values.set(pointer, at(n.range[0]));
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const child = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        const keyRange = (keyNode as Node | null)?.range;
        if (keyRange) keys.set(child, at(keyRange[0]));
        if (pair.value !== null && pair.value !== undefined && !isAlias(pair.value)) walk(pair.value, child);
        else if (pair.value !== null && pair.value !== undefined && (pair.value as Node).range) {
          values.set(child, at((pair.value as Node).range![0]));
        } else if (keyRange) values.set(child, at(keyRange[0]));
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, `${pointer}/${i}`));
    }
  };
  walk(doc.contents, '');
  return { values, keys };
}

/** Position of the value at the pointer, else of the nearest existing parent, else undefined. */
export function lookup(index: PositionIndex, pointer: PolicyPointer, preferKey = false): Position | undefined {
  const segs = pointer.map(String);
  for (let len = segs.length; len >= 0; len--) {
    const p = pointerString(segs.slice(0, len));
    if (preferKey && len === segs.length) {
      const k = index.keys.get(p);
      if (k) return k;
    }
    const v = index.values.get(p);
    if (v) return v;
  }
  return undefined;
}
