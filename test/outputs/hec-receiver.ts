import { createServer, type IncomingMessage, type Server } from 'node:http';

/**
 * A local HTTP Event Collector, written from Splunk's documentation ("Format events for HTTP
 * Event Collector", "HTTP Event Collector indexer acknowledgment", "Troubleshoot HTTP Event
 * Collector" status codes), since no Splunk runs here: `Authorization: Splunk TOKEN`, events
 * as JSON objects back to back, each with a non-empty `event`; with acknowledgement a channel
 * is required and each accepted request gets an ackId, which /services/collector/ack reports
 * indexed from its second query on (or never: an indexer that is stuck).
 */
export interface HecReceiver {
  url: string;
  events: Array<Record<string, unknown>>;
  requests: Array<{ path: string; authorization?: string; channel?: string; events: number }>;
  close(): Promise<void>;
}

export async function startHecReceiver(options: { token: string; ack: boolean; busyFirst?: number; neverIndexed?: boolean }): Promise<HecReceiver> {
  const events: HecReceiver['events'] = [];
  const requests: HecReceiver['requests'] = [];
  const queried = new Map<number, number>();
  let nextAck = 0;
  let busy = options.busyFirst ?? 0;
  const server: Server = createServer(async (req, res) => {
    const body = await read(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reply = (status: number, json: object) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const authorization = req.headers.authorization;
    const channel = (req.headers['x-splunk-request-channel'] as string | undefined) ?? url.searchParams.get('channel') ?? undefined;
    if (!authorization) return reply(401, { text: 'Token is required', code: 2 });
    if (authorization !== `Splunk ${options.token}`) return reply(403, { text: 'Invalid token', code: 4 });
    if (url.pathname === '/services/collector/ack') {
      if (!options.ack) return reply(400, { text: 'ACK is disabled', code: 14 });
      const acks: Record<string, boolean> = {};
      for (const id of (JSON.parse(body) as { acks: number[] }).acks) {
        const n = (queried.get(id) ?? 0) + 1;
        queried.set(id, n);
        acks[String(id)] = !options.neverIndexed && n >= 2;
      }
      return reply(200, { acks });
    }
    if (url.pathname !== '/services/collector/event') return reply(404, { text: 'The requested URL was not found on this server.', code: 404 });
    if (busy > 0) {
      busy -= 1;
      return reply(503, { text: 'Server is busy', code: 9 });
    }
    if (options.ack && !channel) return reply(400, { text: 'Data channel is missing', code: 10 });
    let parsed: Array<Record<string, unknown>>;
    try {
      parsed = objects(body);
    } catch {
      return reply(400, { text: 'Invalid data format', code: 6 });
    }
    if (parsed.length === 0) return reply(400, { text: 'No data', code: 5 });
    for (const e of parsed) {
      if (!('event' in e)) return reply(400, { text: 'Event field is required', code: 12 });
      if (e.event === '' || e.event === null) return reply(400, { text: 'Event field cannot be blank', code: 13 });
    }
    events.push(...parsed);
    requests.push({ path: url.pathname, authorization, channel, events: parsed.length });
    return reply(200, options.ack ? { text: 'Success', code: 0, ackId: nextAck++ } : { text: 'Success', code: 0 });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/services/collector/event`, events, requests, close: () => new Promise((r) => server.close(() => r())) };
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** JSON objects back to back, whitespace between them allowed (HEC's batch format). */
function objects(body: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < body.length; i += 1) {
    const c = body[i]!;
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth += 1;
    } else if (c === '}') {
      depth -= 1;
      if (depth === 0) out.push(JSON.parse(body.slice(start, i + 1)) as Record<string, unknown>);
    } else if (depth === 0 && !/\s/.test(c)) throw new Error('not an object');
  }
  if (depth !== 0) throw new Error('truncated');
  return out;
}
