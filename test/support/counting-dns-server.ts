import dgram from 'node:dgram';

/** Answers for one name: A records, in turn (the last repeats), so a test can make a name rebind. */
export type DnsAnswers = Record<string, string[]>;

/**
 * A tiny DNS server on 127.0.0.1 that counts the questions it gets per name: proof that a denied name was never
 * looked up. A names in `answers` get A records (one per query, in turn); everything else gets NXDOMAIN.
 */
export class CountingDnsServer {
  readonly queries = new Map<string, number>();
  readonly #socket = dgram.createSocket('udp4');
  readonly #turn = new Map<string, number>();

  constructor(private readonly answers: DnsAnswers) {
    this.#socket.on('message', (msg, rinfo) => {
      const reply = this.#answer(msg);
      if (reply) this.#socket.send(reply, rinfo.port, rinfo.address);
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#socket.bind(0, '127.0.0.1', resolve));
    return `127.0.0.1:${this.#socket.address().port}`;
  }

  count(name: string): number {
    return this.queries.get(name) ?? 0;
  }

  close(): void {
    this.#socket.close();
  }

  #answer(msg: Buffer): Buffer | undefined {
    if (msg.length < 12) return undefined;
    const labels: string[] = [];
    let p = 12;
    while (p < msg.length && msg[p] !== 0) {
      const length = msg[p] ?? 0;
      labels.push(msg.subarray(p + 1, p + 1 + length).toString('latin1'));
      p += 1 + length;
    }
    const questionEnd = p + 5;
    const type = msg.readUInt16BE(p + 1);
    const name = labels.join('.').toLowerCase();
    this.queries.set(name, (this.queries.get(name) ?? 0) + 1);
    const list = this.answers[name];
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    const question = msg.subarray(12, questionEnd);
    let answer = Buffer.alloc(0);
    let rcode = 3;
    if (list) {
      rcode = 0;
      if (type === 1) {
        const turn = this.#turn.get(name) ?? 0;
        this.#turn.set(name, turn + 1);
        const ip = list[Math.min(turn, list.length - 1)] ?? '127.0.0.1';
        answer = Buffer.concat([
          Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4]),
          Buffer.from(ip.split('.').map(Number)),
        ]);
      }
    }
    header.writeUInt16BE(0x8180 | rcode, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answer.length > 0 ? 1 : 0, 6);
    return Buffer.concat([header, question, answer]);
  }
}
