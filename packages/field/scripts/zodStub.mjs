/**
 * What the field bundle gets for `zod`. The shared domain module sync.ts defines the protocol's
 * zod schemas beside the plain helpers the phone needs (uuidv7, payload hash, readiness rules);
 * bundling zod for them would cost ~440 KB raw, three times the app. The server validates every
 * envelope with the real schemas and answers "needs fixing" with a message, and the screens check
 * their own fields, so in the browser the schemas are inert: building one returns a stand-in,
 * `parse` returns its input. (Node tests run the real zod.) When domain/sync.ts splits its
 * schemas into their own file, this stub can go.
 */
const passthrough = (v) => v;
const stub = new Proxy(() => stub, {
  get(_target, prop) {
    if (prop === 'parse') return passthrough;
    if (prop === 'safeParse') return (v) => ({ success: true, data: v });
    if (prop === 'shape') return {};
    if (prop === Symbol.toPrimitive) return () => 'zod-stub';
    if (prop === 'then') return undefined;
    return stub;
  },
  apply() {
    return stub;
  },
});
export const z = stub;
export default stub;
