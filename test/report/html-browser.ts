/**
 * Headless Chromium driven over the DevTools protocol through a pipe (--remote-debugging-pipe: commands on fd 3,
 * replies on fd 4, NUL-separated JSON). No websocket library and no playwright: a few dozen lines suffice to load a
 * page, watch console errors and network requests, measure elements and take a screenshot.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** Path of a Chromium binary, or undefined (tests then skip with a visible message). */
export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  return CANDIDATES.find((p) => existsSync(p));
}

interface Pending {
  resolve: (v: Record<string, unknown>) => void;
  reject: (e: Error) => void;
  method: string;
}

export interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
  sessionId?: string;
}

export class Browser {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffer = '';
  readonly events: CdpEvent[] = [];
  private readonly waiters: Array<{ method: string; sessionId?: string; resolve: (e: CdpEvent) => void }> = [];
  private exited = false;

  private constructor(
    private readonly proc: ChildProcess,
    private readonly userDataDir: string,
  ) {
    const out = proc.stdio[4] as Readable;
    const input = proc.stdio[3] as Writable;
    input.on('error', () => {});
    out.setEncoding('utf8');
    out.on('data', (chunk: string) => this.onData(chunk));
    proc.on('exit', () => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error(`chromium exited during ${p.method}`));
      this.pending.clear();
    });
  }

  static async launch(executable: string): Promise<Browser> {
    const userDataDir = mkdtempSync(join(tmpdir(), 'mrg-chromium-'));
    const proc = spawn(
      executable,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-extensions',
        '--disable-dev-shm-usage',
        '--hide-scrollbars',
        '--mute-audio',
        `--user-data-dir=${userDataDir}`,
        '--remote-debugging-pipe',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
    );
    proc.stderr?.resume();
    const browser = new Browser(proc, userDataDir);
    await browser.send('Browser.getVersion');
    return browser;
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\0')) >= 0) {
      const raw = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 1);
      const msg = JSON.parse(raw) as { id?: number; result?: Record<string, unknown>; error?: { message: string }; method?: string; params?: Record<string, unknown>; sessionId?: string };
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        if (!p) continue;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
        else p.resolve(msg.result ?? {});
      } else if (msg.method) {
        const ev: CdpEvent = { method: msg.method, params: msg.params ?? {} };
        if (msg.sessionId) ev.sessionId = msg.sessionId;
        this.events.push(ev);
        for (let i = this.waiters.length - 1; i >= 0; i--) {
          const w = this.waiters[i]!;
          if (w.method === ev.method && (w.sessionId === undefined || w.sessionId === ev.sessionId)) {
            this.waiters.splice(i, 1);
            w.resolve(ev);
          }
        }
      }
    }
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.reject(new Error('chromium is not running'));
    const id = this.nextId++;
    const msg: Record<string, unknown> = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      (this.proc.stdio[3] as Writable).write(`${JSON.stringify(msg)}\0`);
    });
  }

  waitFor(method: string, sessionId?: string, timeoutMs = 15000): Promise<CdpEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${method}`)), timeoutMs);
      this.waiters.push({
        method,
        ...(sessionId ? { sessionId } : {}),
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  async newPage(width = 1100, height = 900): Promise<Page> {
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    const page = new Page(this, sessionId);
    await page.send('Page.enable');
    await page.send('Runtime.enable');
    await page.send('Log.enable');
    await page.send('Network.enable');
    await page.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    return page;
  }

  async close(): Promise<void> {
    if (!this.exited) {
      const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
      this.send('Browser.close').catch(() => {});
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.userDataDir, { recursive: true, force: true });
  }
}

export interface PageProblems {
  /** Console errors, uncaught exceptions and log errors (CSP violations land here). */
  errors: string[];
  /** Every network request the page made (URL), apart from the document itself. */
  requests: string[];
}

export class Page {
  constructor(
    readonly browser: Browser,
    readonly sessionId: string,
  ) {}

  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.browser.send(method, params, this.sessionId);
  }

  async setColorScheme(scheme: 'light' | 'dark'): Promise<void> {
    await this.send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: scheme }] });
  }

  /** Navigates and waits for the load event. */
  async goto(url: string): Promise<void> {
    const loaded = this.browser.waitFor('Page.loadEventFired', this.sessionId);
    const r = (await this.send('Page.navigate', { url })) as { errorText?: string };
    if (r.errorText) throw new Error(`navigation failed: ${r.errorText}`);
    await loaded;
  }

  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as {
      result: { value: T };
      exceptionDetails?: { text: string };
    };
    if (r.exceptionDetails) throw new Error(`evaluate: ${r.exceptionDetails.text}`);
    return r.result.value;
  }

  /** Full-page PNG. */
  async screenshot(): Promise<Buffer> {
    const { width, height } = await this.evaluate<{ width: number; height: number }>(
      '({ width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight })',
    );
    const r = (await this.send('Page.captureScreenshot', {
      format: 'png',
      captureBeyondViewport: true,
      clip: { x: 0, y: 0, width, height: Math.min(height, 16000), scale: 1 },
    })) as { data: string };
    return Buffer.from(r.data, 'base64');
  }

  /** PNG of a region of the page (CSS pixels). */
  async screenshotRegion(x: number, y: number, width: number, height: number): Promise<Buffer> {
    const r = (await this.send('Page.captureScreenshot', {
      format: 'png',
      captureBeyondViewport: true,
      clip: { x, y, width, height, scale: 1 },
    })) as { data: string };
    return Buffer.from(r.data, 'base64');
  }

  /** What went wrong on this page so far: console errors, exceptions, error log entries, network requests. */
  problems(documentUrl: string): PageProblems {
    const errors: string[] = [];
    const requests: string[] = [];
    for (const e of this.browser.events) {
      if (e.sessionId !== this.sessionId) continue;
      const p = e.params as Record<string, any>;
      if (e.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert'))
        errors.push(`console.${p.type}: ${(p.args ?? []).map((a: any) => a.value ?? a.description).join(' ')}`);
      else if (e.method === 'Runtime.exceptionThrown') errors.push(`exception: ${p.exceptionDetails?.text}`);
      else if (e.method === 'Log.entryAdded' && p.entry?.level === 'error') errors.push(`log: ${p.entry.text} ${p.entry.url ?? ''}`);
      else if (e.method === 'Network.requestWillBeSent') {
        const url = String(p.request?.url ?? '');
        if (url !== documentUrl && url !== 'about:blank') requests.push(url);
      } else if (e.method === 'Network.loadingFailed') errors.push(`network: ${p.errorText} ${p.blockedReason ?? ''}`);
    }
    return { errors, requests };
  }
}
