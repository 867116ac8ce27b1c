// The kernel's end of the interop tests: a plain kernel UDP socket (Node's
// dgram) run inside the network namespace. Prints one JSON line per event.
//   recv <port> <count>             receive count datagrams, then exit
//   send <host> <port> <hex>...     send each payload, then exit
//   echo <port> <count>             send each datagram back to its sender
import dgram from 'node:dgram';

const [mode, ...args] = process.argv.slice(2);
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const sock = dgram.createSocket('udp4');
setTimeout(() => {
  out({ timeout: true });
  process.exit(2);
}, 15_000).unref();

if (mode === 'recv' || mode === 'echo') {
  const [port, count] = args.map(Number);
  let seen = 0;
  sock.on('message', (msg, rinfo) => {
    out({ from: `${rinfo.address}:${rinfo.port}`, data: msg.toString('hex') });
    const done = () => {
      if (++seen === count) sock.close();
    };
    if (mode === 'echo') sock.send(msg, rinfo.port, rinfo.address, done);
    else done();
  });
  sock.bind(port, () => out({ ready: sock.address().port }));
} else if (mode === 'send') {
  const [host, port, ...payloads] = args;
  sock.bind(0, async () => {
    out({ ready: sock.address().port });
    for (const hex of payloads) {
      await new Promise((resolve, reject) =>
        sock.send(Buffer.from(hex, 'hex'), Number(port), host, (e) => (e ? reject(e) : resolve())),
      );
    }
    out({ sent: payloads.length });
    sock.close();
  });
} else {
  out({ error: `unknown mode ${mode}` });
  process.exit(1);
}
