import { connect, createServer, type Server, type Socket } from 'node:net';

export interface PostgresProxy {
  /** `databaseUrl` with its host and port replaced by the proxy's. */
  url(databaseUrl: string): string;
  /** Arms a cut: the next connection's first query (after start-up) breaks both sockets. */
  cutAtNextFirstQuery(): void;
  /** Breaks every connection and stops accepting: the database becomes unreachable. */
  cut(): Promise<void>;
}

/**
 * A TCP hop in front of this machine's PostgreSQL that a test can cut: all at once (the database
 * becomes unreachable), or one connection right after its start-up, when it sends its first query
 * (a connection that breaks between connecting and its set-up statement).
 */
export function postgresProxy(upstreamPort = 5432): Promise<PostgresProxy> {
  const sockets = new Set<Socket>();
  let cutsArmed = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    upstream.pipe(client);
    if (cutsArmed === 0) {
      client.pipe(upstream);
      return;
    }
    cutsArmed--;
    // The start-up message (length-prefixed, no type byte) passes; the next message is the first
    // query: both sockets are destroyed instead of forwarding it.
    let startupLeft: number | undefined;
    client.on('data', (chunk: Buffer) => {
      let rest = chunk;
      if (startupLeft === undefined) startupLeft = rest.readInt32BE(0);
      const passing = Math.min(startupLeft, rest.length);
      if (passing > 0) upstream.write(rest.subarray(0, passing));
      startupLeft -= passing;
      rest = rest.subarray(passing);
      if (rest.length > 0) {
        client.destroy();
        upstream.destroy();
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: (databaseUrl) => databaseUrl.replace(/@[^/]+\//, `@127.0.0.1:${port}/`),
        cutAtNextFirstQuery: () => void cutsArmed++,
        cut: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    }),
  );
}
