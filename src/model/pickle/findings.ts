/** What a read of a model file found: findings, and the refusal that stops a read. */
export interface PickleFinding {
  severity: 'error' | 'warning' | 'note';
  /** 'dangerous-global' | 'disallowed-global' | 'unknown-class' | 'malformed' | 'limit' | 'compression' | ... */
  kind: string;
  message: string;
  /** 'module.name' of the global concerned. */
  global?: string;
  /** Byte offset in the (decompressed) pickle stream. */
  offset?: number;
}

import { printable } from '../../util/output.js';

/** The read stopped on something the reader refuses (a global outside the allowlist, a limit, a malformed stream). */
export class PickleRefusal extends Error {
  readonly finding: PickleFinding;
  readonly findings: PickleFinding[];
  constructor(finding: PickleFinding, findings: PickleFinding[] = [finding]) {
    const clean = { ...finding, message: printable(finding.message) };
    super(clean.message);
    this.name = 'PickleRefusal';
    this.finding = clean;
    this.findings = findings.map((f) => (f === finding ? clean : { ...f, message: printable(f.message) }));
  }
}

