/** Configuration is refused at start with a message that says what to set. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig, trustProxyOf } from '../../src/config.ts';

describe('configuration from the environment', () => {
  it('takes the defaults of a laptop demo', () => {
    const c = loadConfig({});
    assert.equal(c.PORT, 3000);
    assert.equal(c.PAYMENT_GATEWAY, 'sandbox');
    assert.equal(c.dataKeyIsDevDefault, true);
    assert.equal(trustProxyOf(c), 'loopback');
  });

  it('names the variable and what to put in it', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), (e: unknown) => e instanceof ConfigError && /PORT/.test(e.message));
    assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /must start with postgres:\/\//);
    assert.throws(() => loadConfig({ DATA_KEY: 'short' }), /openssl rand/);
    assert.throws(() => loadConfig({ TRUST_PROXY: 'everyone; drop table' }), /TRUST_PROXY/);
  });

  it('takes a PostgreSQL Unix socket as the host, and prepared statements on unless turned off', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://causo@%2Fvar%2Frun%2Fpostgresql/causo' });
    assert.equal(c.DATABASE_URL, 'postgres://causo@%2Fvar%2Frun%2Fpostgresql/causo');
    assert.equal(c.DB_PREPARED_STATEMENTS, 'true');
    assert.equal(loadConfig({ DB_PREPARED_STATEMENTS: 'false' }).DB_PREPARED_STATEMENTS, 'false');
    assert.throws(() => loadConfig({ DB_PREPARED_STATEMENTS: 'no' }), /DB_PREPARED_STATEMENTS/);
  });

  it('reads which proxies may set X-Forwarded-For', () => {
    assert.equal(trustProxyOf(loadConfig({ TRUST_PROXY: 'false' })), false);
    assert.equal(trustProxyOf(loadConfig({ TRUST_PROXY: 'true' })), true);
    assert.equal(trustProxyOf(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' })), 'loopback,10.0.0.0/8');
  });

  it('refuses production without a data key, or with the sandbox payment gateway left by default', () => {
    const key = 'k'.repeat(40);
    assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /DATA_KEY must be set/);
    assert.throws(() => loadConfig({ NODE_ENV: 'production', DATA_KEY: key }), /PAYMENT_GATEWAY must be set in production/);
    assert.equal(loadConfig({ NODE_ENV: 'production', DATA_KEY: key, PAYMENT_GATEWAY: 'sandbox' }).PAYMENT_GATEWAY, 'sandbox');
  });
});
