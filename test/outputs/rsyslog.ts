import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real rsyslog (Debian's `rsyslog` and `rsyslog-gnutls`) on loopback: UDP, TCP and TLS
 * inputs on free ports, a self-signed certificate for 127.0.0.1 made with openssl, and each
 * input's messages written as JSON lines of the fields rsyslog parsed (its RFC 5424 parser).
 */
export interface Rsyslog {
  ports: { udp: number; tcp: number; tls: number };
  /** The certificate clients must trust (NODE_EXTRA_CA_CERTS). */
  cert: string;
  received(input: 'udp' | 'tcp' | 'tls'): Array<Record<string, string>>;
  stop(): void;
}

const RSYSLOGD = '/usr/sbin/rsyslogd';

export async function startRsyslog(): Promise<Rsyslog> {
  if (!existsSync(RSYSLOGD)) throw new Error(`this test needs ${RSYSLOGD}: apt-get install rsyslog rsyslog-gnutls`);
  const dir = mkdtempSync(join(tmpdir(), 'sw-rsyslog-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const openssl = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { encoding: 'utf8' });
  if (openssl.status !== 0) throw new Error(`openssl failed: ${openssl.stderr}`);
  const ports = { udp: await freeUdpPort(), tcp: await freeTcpPort(), tls: await freeTcpPort() };
  const file = (input: string) => join(dir, `${input}.jsonl`);
  writeFileSync(join(dir, 'rsyslog.conf'), `
global(workDirectory="${dir}"
       parser.escapeControlCharactersOnReceive="off"
       maxMessageSize="64k"
       defaultNetstreamDriverCAFile="${cert}"
       defaultNetstreamDriverCertFile="${cert}"
       defaultNetstreamDriverKeyFile="${key}")
module(load="imudp")
module(load="imtcp" maxSessions="20")
template(name="fields" type="list" option.jsonf="on") {
  property(outname="pri" name="pri" format="jsonf")
  property(outname="version" name="protocol-version" format="jsonf")
  property(outname="time" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="host" name="hostname" format="jsonf")
  property(outname="app" name="app-name" format="jsonf")
  property(outname="msgid" name="msgid" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
}
${['udp', 'tcp', 'tls'].map((input) => `ruleset(name="${input}") { action(type="omfile" file="${file(input)}" template="fields") }`).join('\n')}
input(type="imudp" address="127.0.0.1" port="${ports.udp}" ruleset="udp")
input(type="imtcp" address="127.0.0.1" port="${ports.tcp}" ruleset="tcp")
input(type="imtcp" address="127.0.0.1" port="${ports.tls}" ruleset="tls" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")
`);
  const child: ChildProcess = spawn(RSYSLOGD, ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'inherit', 'inherit'] });
  // Probing the TLS port without a handshake would make rsyslog log an error: its inputs start together.
  await waitFor(() => canConnect(ports.tcp), 'rsyslog listening');
  return {
    ports,
    cert,
    received: (input) => (existsSync(file(input)) ? readFileSync(file(input), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>) : []),
    stop: () => void child.kill('SIGTERM'),
  };
}

/** Polls until `ready` holds; fails after a generous bound (a stuck daemon, not a slow one). */
export async function waitFor(ready: () => boolean | Promise<boolean>, what: string, bound = 30_000): Promise<void> {
  const until = Date.now() + bound;
  while (!(await ready())) {
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

export function freeTcpPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
