import { describe, expect, it } from 'vitest';
import { InputError, readInputs } from '../../src/action/inputs.js';

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nsecret-material\n-----END OPENSSH PRIVATE KEY-----\n';

function inputs(values: Record<string, string>) {
  const secrets: string[] = [];
  const read = () =>
    readInputs(
      (name) => values[name] ?? '',
      (s) => secrets.push(s),
    );
  return { read, secrets };
}

const ssh = {
  'ssh-host': 'login.cluster.example',
  'ssh-user': 'alice',
  'ssh-private-key': KEY,
  'ssh-known-hosts': 'SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

describe('action inputs', () => {
  it('uses the local transport and picks the mode from the event when nothing is set', () => {
    expect(inputs({}).read()).toMatchObject({ mode: null, ssh: null, config: '.github/sweepwatch.yml' });
  });

  it('registers the private key, passphrase and token as secrets before parsing anything', () => {
    const { read, secrets } = inputs({
      ...ssh,
      'ssh-private-key-passphrase': 'pw',
      'github-token': 'ghs_x',
      mode: 'nope',
    });
    expect(read).toThrow(InputError);
    expect(secrets.sort()).toEqual([KEY, 'secret-material', 'ghs_x', 'pw'].sort());
  });

  it('names the input and the allowed values when the mode is unknown', () => {
    expect(inputs({ mode: 'tik' }).read).toThrow('input mode: "tik" is not one of tick, launch');
  });

  it('refuses an ssh host without a pinned host key rather than accepting whatever it offers', () => {
    expect(inputs({ ...ssh, 'ssh-known-hosts': '' }).read).toThrow('ssh-known-hosts must be set too');
  });

  it('names a port that is not a TCP port', () => {
    expect(inputs({ ...ssh, 'ssh-port': '70000' }).read).toThrow('input ssh-port: "70000" is not a TCP port');
  });

  it('never echoes a secret pasted into the wrong input', () => {
    const read = inputs({
      ...ssh,
      'ssh-private-key-passphrase': 'correct-horse',
      'ssh-port': 'correct-horse',
    }).read;
    expect(read).toThrow('input ssh-port: (value not shown) is not a TCP port');
    expect(read).not.toThrow(/correct-horse/);
  });

  it('parses jump hosts nearest first, each with its own pinned fingerprint', () => {
    const parsed = inputs({
      ...ssh,
      'ssh-jump-hosts': '# bastion first\nbob@bastion.example:2200 SHA256:AAAA\n\ncarol@gw SHA256:BBBB=\n',
    }).read();
    expect(parsed.ssh?.jumpHosts).toEqual([
      { user: 'bob', host: 'bastion.example', port: 2200, hostKey: 'SHA256:AAAA' },
      { user: 'carol', host: 'gw', port: 22, hostKey: 'SHA256:BBBB=' },
    ]);
  });

  it('points at the bad jump-host line', () => {
    expect(inputs({ ...ssh, 'ssh-jump-hosts': 'bob@bastion SHA256:AAAA\nbastion-without-key' }).read).toThrow(
      'ssh-jump-hosts line 2',
    );
  });

  it('keeps the private key byte for byte', () => {
    expect(inputs(ssh).read().ssh?.privateKey).toBe(KEY);
  });
});
