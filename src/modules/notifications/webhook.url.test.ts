import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redactedWebhookUrl } from './webhook.url.ts';

describe('redactedWebhookUrl: what staff and the audit chain are shown of a webhook URL', () => {
  it('keeps scheme, host, port and path', () => {
    assert.equal(
      redactedWebhookUrl('https://hooks.example.org:8443/linli/events'),
      'https://hooks.example.org:8443/linli/events',
    );
  });

  it('drops the query, the fragment and user info, saying something was left out', () => {
    for (const url of [
      'https://hooks.example.org/in?token=s3cret&x=1',
      'https://hooks.example.org/in?s3cret',
      'https://hooks.example.org/in#s3cret',
      'https://bot:s3cret@hooks.example.org/in',
    ]) {
      const shown = redactedWebhookUrl(url);
      assert.equal(shown, 'https://hooks.example.org/in?[redacted]', url);
      assert.doesNotMatch(shown, /s3cret/);
    }
  });

  it('shows nothing of a string that is no URL', () => {
    assert.equal(redactedWebhookUrl('not a url ?token=s3cret'), '[unreadable URL]');
  });
});
