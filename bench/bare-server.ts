// The yardstick: a bare Fastify JSON route doing nothing but parse and answer. `/answer` replies
// with a fixed body (BARE_ANSWER, JSON), so the cost of sending intake's own answer can be seen
// apart from the work behind it.
import Fastify from 'fastify';

const answer: unknown = process.env.BARE_ANSWER ? JSON.parse(process.env.BARE_ANSWER) : { ok: true };
const app = Fastify({ logger: false });
app.post('/bare', async (request) => ({ ok: true, echo: request.body }));
app.post('/answer', async (_request, reply) => reply.status(201).send(answer));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write('ready\n');
