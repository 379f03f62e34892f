/**
 * The SMTP e-mail gateway against a real SMTP server (smtp-server on 127.0.0.1): what arrives
 * (Vietnamese headers and body, our reference and Message-ID), and which failures are
 * permanent or temporary. Also the factory and the sink.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { ConfigError } from '../../src/config.ts';
import { createEmailGateway, type EmailConfig } from '../../src/adapters/email/factory.ts';
import { EmailSmtpGateway, type EmailSmtpOptions } from '../../src/adapters/email/smtp.ts';
import { EmailSink } from '../../src/adapters/email/sink.ts';
import { EmailSendError, type EmailMessage } from '../../src/adapters/email/port.ts';

const FROM = 'Cầu Số <no-reply@dichvucong.binhphuoc.gov.vn>';
const USER = 'causo';
const PASSWORD = 'mật-khẩu-đúng-42';

// ---------------------------------------------------------------------------------------------
// A minimal MIME reader: enough to decode what nodemailer writes (RFC 2047 words, QP, base64).

function decodeQp(text: string, underscoreIsSpace = false): Buffer {
  const bytes: number[] = [];
  const src = text.replace(/=\r?\n/g, ''); // soft line breaks
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] ?? '';
    if (ch === '=' && /^[0-9A-F]{2}$/i.test(src.slice(i + 1, i + 3))) {
      bytes.push(parseInt(src.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(underscoreIsSpace && ch === '_' ? ' ' : ch, 'utf8'));
  }
  return Buffer.from(bytes);
}

/** Decodes a header value: adjacent encoded words are joined first (the space between goes). */
function decodeHeader(value: string): string {
  const joined = value.replace(/\?=\s+=\?/g, '?==?');
  return joined.replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=/gi, (_m, enc: string, data: string) =>
    (enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : decodeQp(data, true)).toString('utf8'),
  );
}

interface MimePart {
  headers: Map<string, string>;
  body: string;
}

function parsePart(raw: string): MimePart {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' '); // unfold
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const encoded = raw.slice(split + 4);
  const cte = headers.get('content-transfer-encoding')?.toLowerCase();
  const body = cte === 'base64' ? Buffer.from(encoded, 'base64').toString('utf8') : cte === 'quoted-printable' ? decodeQp(encoded).toString('utf8') : encoded;
  return { headers, body };
}

/** The parts of a multipart message (or the message itself when it is one part). */
function partsOf(msg: MimePart): MimePart[] {
  const boundary = /boundary="?([^";]+)"?/.exec(msg.headers.get('content-type') ?? '')?.[1];
  if (!boundary) return [msg];
  return msg.body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((p) => parsePart(p.replace(/^\r\n/, '').replace(/\r\n$/, '')));
}

// ---------------------------------------------------------------------------------------------

interface Received {
  from: string;
  to: string[];
  user: string | undefined;
  raw: string;
}

type Reply = { code: number; text: string } | null;
const refuse = (reply: Reply) => (reply ? Object.assign(new Error(reply.text), { responseCode: reply.code }) : null);

/** An SMTP server that asks for AUTH PLAIN/LOGIN, keeps what it receives, and refuses on demand. */
function smtpServer(received: Received[], replies: { mail: Reply; rcpt: Reply; data: Reply }): SMTPServer {
  const options: SMTPServerOptions = {
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    hideENHANCEDSTATUSCODES: true, // the tests write the enhanced codes they need themselves
    logger: false,
    closeTimeout: 100,
    disableReverseLookup: true,
    onAuth(auth, _session, callback) {
      if (auth.username === USER && auth.password === PASSWORD) callback(null, { user: USER });
      else callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onMailFrom: (_address, _session, callback) => callback(refuse(replies.mail)),
    onRcptTo: (_address, _session, callback) => callback(refuse(replies.rcpt)),
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const error = refuse(replies.data);
        if (!error) {
          const from = session.envelope.mailFrom;
          received.push({
            from: from ? from.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            user: typeof session.user === 'string' ? session.user : undefined,
            raw: Buffer.concat(chunks).toString('utf8'),
          });
        }
        callback(error);
      });
    },
  };
  return new SMTPServer(options);
}

const listen = (server: SMTPServer, port = 0) =>
  new Promise<number>((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port)));
const stop = (server: SMTPServer) => new Promise<void>((resolve) => server.close(() => resolve()));

/** A port nothing listens on (for now). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function failure(gateway: EmailSmtpGateway, m: EmailMessage): Promise<EmailSendError> {
  try {
    await gateway.send(m);
  } catch (err) {
    assert.ok(err instanceof EmailSendError, `expected EmailSendError, got ${String(err)}`);
    return err;
  }
  return assert.fail('the send did not fail');
}

const message: EmailMessage = {
  to: 'nguyen.van.hung@example.vn',
  subject: 'Cầu Số: Đã nhận hồ sơ HS-2024-001234 — phường Tân Phú, Đồng Xoài',
  text: 'Kính gửi ông Nguyễn Văn Hưng,\r\nHồ sơ của ông đã được tiếp nhận tại Bộ phận Một cửa phường Tân Phú.\r\nTrân trọng.',
  reference: 'outbox-42',
};

describe('e-mail over SMTP', () => {
  const received: Received[] = [];
  const replies: { mail: Reply; rcpt: Reply; data: Reply } = { mail: null, rcpt: null, data: null };
  let server: SMTPServer;
  let port = 0;
  const gateways: EmailSmtpGateway[] = [];
  const gateway = (over: Partial<EmailSmtpOptions> = {}) => {
    const g = new EmailSmtpGateway({ host: '127.0.0.1', port, secure: false, requireTls: false, user: USER, password: PASSWORD, from: FROM, timeoutMs: 1_000, ...over });
    gateways.push(g);
    return g;
  };

  before(async () => {
    server = smtpServer(received, replies);
    port = await listen(server);
  });
  after(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await stop(server);
  });

  it('delivers a Vietnamese message with the right From, To, Subject and body, signed in', async () => {
    const g = gateway();
    assert.equal(g.name, `smtp:127.0.0.1:${port}`);
    const { providerId } = await g.send(message);
    const got = received.at(-1);
    assert.ok(got);
    assert.equal(got.from, 'no-reply@dichvucong.binhphuoc.gov.vn');
    assert.deepEqual(got.to, ['nguyen.van.hung@example.vn']);
    assert.equal(got.user, USER);

    const mail = parsePart(got.raw);
    assert.equal(decodeHeader(mail.headers.get('from') ?? ''), FROM);
    assert.equal(mail.headers.get('to'), 'nguyen.van.hung@example.vn');
    assert.match(mail.headers.get('subject') ?? '', /^=\?UTF-8\?[BQ]\?/i, 'the subject goes as RFC 2047 encoded words');
    assert.equal(decodeHeader(mail.headers.get('subject') ?? ''), message.subject);
    assert.match(mail.headers.get('content-type') ?? '', /text\/plain; charset=utf-8/i);
    assert.match(mail.headers.get('content-transfer-encoding') ?? '', /^(quoted-printable|base64)$/i);
    assert.equal(mail.body.replace(/\r?\n$/, ''), message.text);
    assert.ok(/^[\x00-\x7f]*$/.test(got.raw), 'the message on the wire is 7-bit: everything Vietnamese is encoded');

    assert.equal(mail.headers.get('x-causo-reference'), 'outbox-42');
    assert.match(mail.headers.get('message-id') ?? '', /^<outbox-42\.[0-9a-f]{12}@causo>$/);
    assert.equal(providerId, mail.headers.get('message-id'));
  });

  it('gives a repeat of the same outbox message the same Message-ID, and another installation another', async () => {
    const first = await gateway().send(message);
    const again = await gateway().send(message);
    assert.equal(again.providerId, first.providerId);
    const other = await gateway({ from: 'UBND tỉnh <thongbao@tinh-khac.gov.vn>' }).send(message);
    assert.notEqual(other.providerId, first.providerId);
    assert.match(other.providerId, /^<outbox-42\./);
    const odd = await gateway().send({ ...message, reference: 'outbox 7\r\nBcc: x@evil.example' });
    assert.match(odd.providerId, /^<r-[0-9a-f]{32}\.[0-9a-f]{12}@causo>$/, 'an unusual reference is hashed into the id');
    const raw = received.at(-1)?.raw ?? '';
    assert.match(raw, /^X-Causo-Reference: outbox_7__Bcc:_x@evil\.example\r$/m, 'and cannot inject a header');
    assert.doesNotMatch(raw, /^Bcc:/im);
    assert.deepEqual(received.at(-1)?.to, ['nguyen.van.hung@example.vn']);
  });

  it('sends the HTML alternative next to the text, both UTF-8', async () => {
    await gateway().send({ ...message, html: '<p>Hồ sơ <b>HS-2024-001234</b> đã được tiếp nhận.</p>' });
    const parts = partsOf(parsePart(received.at(-1)?.raw ?? ''));
    assert.deepEqual(
      parts.map((p) => p.headers.get('content-type')?.split(';')[0]),
      ['text/plain', 'text/html'],
    );
    assert.equal(parts[0]?.body, message.text);
    assert.equal(parts[1]?.body, '<p>Hồ sơ <b>HS-2024-001234</b> đã được tiếp nhận.</p>');
  });

  it('treats a wrong password as temporary (an operator mistake: keep the messages) and never shows it', async () => {
    const err = await failure(gateway({ password: 'mật-khẩu-sai-999' }), message);
    assert.equal(err.permanent, false);
    assert.match(err.message, /refused our login \(535\).*SMTP_PASSWORD/);
    assert.ok(!err.message.includes('mật-khẩu-sai-999') && !err.message.includes(PASSWORD));
    assert.ok(!JSON.stringify(gateway({ password: 'mật-khẩu-sai-999' })).includes('mật-khẩu-sai-999'), 'the gateway object does not serialise its password');
  });

  it('treats a refused recipient (5xx to RCPT TO) as permanent, without echoing the address', async () => {
    const g = gateway();
    for (const reply of [
      { code: 550, text: '5.1.1 <nguyen.van.hung@example.vn>: Mailbox unavailable' },
      { code: 553, text: '5.1.3 Mailbox name not allowed' },
    ]) {
      replies.rcpt = reply;
      const err = await failure(g, message);
      assert.equal(err.permanent, true, `${reply.code} is permanent`);
      assert.match(err.message, new RegExp(`${reply.code} ${reply.text.slice(0, 5).replace(/\./g, '\\.')} to RCPT TO`));
      assert.ok(!err.message.includes('example.vn'));
    }
    replies.rcpt = null;
    await g.send(message); // the pooled connection is still good after a refusal
  });

  it('treats 4xx replies as temporary, at RCPT TO and after DATA', async () => {
    const g = gateway();
    for (const code of [450, 451, 452]) {
      replies.rcpt = { code, text: '4.3.0 Try again later' };
      const err = await failure(g, message);
      assert.equal(err.permanent, false, `${code} is temporary`);
      assert.match(err.message, new RegExp(`^SMTP server answered ${code} 4\\.3\\.0 to RCPT TO$`));
    }
    replies.rcpt = null;
    replies.data = { code: 451, text: '4.3.0 Local error in processing' };
    assert.equal((await failure(g, message)).permanent, false);
    replies.data = { code: 554, text: '5.6.0 Message content rejected' };
    assert.equal((await failure(g, message)).permanent, true, 'a message refused after DATA is permanent');
    replies.data = null;
  });

  it('treats a refused sender or a relay refusal as temporary: our configuration, the same for every message', async () => {
    const g = gateway();
    replies.mail = { code: 553, text: '5.7.1 Sender address rejected: not owned by user' };
    assert.equal((await failure(g, message)).permanent, false);
    replies.mail = { code: 550, text: 'Sender not allowed' };
    assert.equal((await failure(g, message)).permanent, false);
    replies.mail = null;
    replies.rcpt = { code: 554, text: '5.7.1 Relay access denied' };
    assert.equal((await failure(g, message)).permanent, false);
    replies.rcpt = null;
  });

  it('treats a server that is down as temporary, and sends once it is back', async () => {
    const downPort = await freePort();
    const g = gateway({ port: downPort });
    const err = await failure(g, message);
    assert.equal(err.permanent, false);
    assert.match(err.message, /ECONNREFUSED/);
    const back = smtpServer(received, { mail: null, rcpt: null, data: null });
    await listen(back, downPort);
    try {
      const before = received.length;
      await g.send(message);
      assert.equal(received.length, before + 1);
    } finally {
      await g.close();
      await stop(back);
    }
  });

  it('treats a server that never answers as temporary, within the timeout', async () => {
    const sockets: Socket[] = [];
    const silent: NetServer = createServer((s) => sockets.push(s)); // accepts, never greets
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    try {
      const g = gateway({ port: (silent.address() as AddressInfo).port, timeoutMs: 300 });
      const started = Date.now();
      const err = await failure(g, message);
      assert.equal(err.permanent, false);
      assert.match(err.message, /timed out/);
      assert.ok(Date.now() - started < 1_500, 'gave up in about the timeout');
      await g.close();
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses an unusable recipient address as permanent, before connecting', async () => {
    const g = gateway({ port: await freePort() }); // nothing listens: a connection attempt would fail as temporary
    for (const to of ['', 'not-an-address', 'a@x.vn, b@y.vn', 'Hưng <a@x.vn>', 'a@x.vn\r\nRCPT TO:<b@y.vn>', 'a b@x.vn']) {
      const err = await failure(g, { ...message, to });
      assert.equal(err.permanent, true, JSON.stringify(to));
      assert.equal(err.message, 'invalid recipient address');
    }
  });

  it('sends to an address with Vietnamese letters when the server offers SMTPUTF8', async () => {
    await gateway().send({ ...message, to: 'hưng@ví-dụ.vn' });
    assert.deepEqual(received.at(-1)?.to, ['hưng@ví-dụ.vn']);
  });
});

describe('e-mail gateway factory and sink', () => {
  const base: EmailConfig = {
    EMAIL_GATEWAY: 'smtp',
    SMTP_HOST: 'mail.binhphuoc.gov.vn',
    SMTP_PORT: 587,
    SMTP_SECURE: false,
    SMTP_REQUIRE_TLS: true,
    SMTP_USER: USER,
    SMTP_PASSWORD: PASSWORD,
    EMAIL_FROM: FROM,
    SMTP_TIMEOUT_MS: 10_000,
    NODE_ENV: 'production',
  };

  it('builds the SMTP gateway from the configuration', async () => {
    const g = createEmailGateway(base);
    assert.ok(g instanceof EmailSmtpGateway);
    assert.equal(g.name, 'smtp:mail.binhphuoc.gov.vn:587');
    await g.close?.();
  });

  it('refuses smtp without SMTP_HOST, half a login, or a password that could go in clear in production', () => {
    assert.throws(() => createEmailGateway({ ...base, SMTP_HOST: undefined }), (e: unknown) => e instanceof ConfigError && /SMTP_HOST/.test(e.message));
    assert.throws(() => createEmailGateway({ ...base, SMTP_HOST: '' }), ConfigError);
    assert.throws(() => createEmailGateway({ ...base, SMTP_PASSWORD: undefined }), (e: unknown) => e instanceof ConfigError && /SMTP_USER and SMTP_PASSWORD/.test(e.message));
    assert.throws(() => createEmailGateway({ ...base, SMTP_REQUIRE_TLS: false }), (e: unknown) => e instanceof ConfigError && /SMTP_SECURE/.test(e.message));
    const dev = createEmailGateway({ ...base, SMTP_REQUIRE_TLS: false, NODE_ENV: 'development' });
    void dev.close?.();
  });

  it('uses the sink by default: nothing leaves the machine', async () => {
    const g = createEmailGateway({ ...base, EMAIL_GATEWAY: 'sink', SMTP_HOST: undefined });
    assert.ok(g instanceof EmailSink);
    assert.equal(g.name, 'sink');
    const { providerId } = await g.send(message);
    assert.match(providerId, /^sink-[0-9a-f-]{36}$/);
    assert.notEqual((await new EmailSink().send(message)).providerId, providerId);
  });
});
