/**
 * Progress for long commands: a bar with rate and time left on a terminal, plain lines
 * (at most every few seconds) when the output is a file or a CI log.
 */
export interface Progress {
  update(done: number, total?: number): void;
  finish(done: number, message?: string): void;
}

const fmt = new Intl.NumberFormat('vi-VN');

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

export function progress(label: string, total?: number, out: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  let lastLine = 0;
  let knownTotal = total;
  const tty = out.isTTY === true;
  const render = (done: number, final = false) => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const left = knownTotal && rate > 0 ? (knownTotal - done) / rate : NaN;
    const pct = knownTotal ? Math.min(100, (done / knownTotal) * 100) : NaN;
    const stats = `${fmt.format(done)}${knownTotal ? `/${fmt.format(knownTotal)}` : ''} · ${fmt.format(Math.round(rate))}/s · ${final ? `xong sau ${duration(elapsed)}` : `còn ${duration(left)}`}`;
    if (tty) {
      const width = 28;
      const filled = Number.isFinite(pct) ? Math.round((pct / 100) * width) : 0;
      out.write(`\r${label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${Number.isFinite(pct) ? pct.toFixed(0).padStart(3) : '  ?'}% ${stats}\x1b[K${final ? '\n' : ''}`);
    } else out.write(`${label}: ${Number.isFinite(pct) ? `${pct.toFixed(0)}% ` : ''}${stats}\n`);
  };
  return {
    update(done, t) {
      if (t !== undefined) knownTotal = t;
      const now = Date.now();
      if (tty ? now - lastLine < 100 : now - lastLine < 5000) return;
      lastLine = now;
      render(done);
    },
    finish(done, message) {
      render(done, true);
      if (message) out.write(`${message}\n`);
    },
  };
}
