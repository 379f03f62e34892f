import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isGsm7, smsLength, toGsm7Text } from '@causo/domain';
import { loadConfig } from '../../src/config.ts';
import { languages } from '../../src/web/i18n.ts';
import { SmsTemplateError, assertSmsTemplatesFit, checkSmsTemplates, onePartIfPossible, outgoingSmsText, renderSms, smsTemplateKeys } from '../../src/modules/notify/templates.ts';

const over = (checks: ReturnType<typeof checkSmsTemplates>) => checks.filter((c) => !c.ok).map((c) => `${c.lang} ${c.key}: ${c.parts} parts (${c.length} ${c.encoding})`);

describe('SMS templates in the message catalogues', () => {
  it('are found in every language, in every catalogue file', () => {
    assert.ok(languages().includes('vi') && languages().includes('en'));
    for (const lang of languages()) {
      const keys = smsTemplateKeys(lang);
      for (const key of ['notify.sms.dossier_received', 'notify.sms.lookup.status.5', 'notify.sms.help', 'notify.sms.follow_up_reminder', 'account.sms.code', 'payments.sms.receipt'])
        assert.ok(keys.includes(key), `${lang}: ${key}`);
      assert.ok(!keys.some((k) => k.startsWith('notify.dev.')), 'the operator page’s labels are not templates');
      assert.ok(!keys.some((k) => k.startsWith('notify.email.')), 'e-mail is not SMS');
    }
  });

  it(`all fit SMS_MAX_PARTS (default ${loadConfig({ LOG_LEVEL: 'silent' }).SMS_MAX_PARTS}) as written, at their longest`, () => {
    const maxParts = loadConfig({ LOG_LEVEL: 'silent' }).SMS_MAX_PARTS;
    assert.equal(maxParts, 3);
    const checks = checkSmsTemplates(maxParts, false);
    assert.ok(checks.length >= 2 * 25, `every template of every language is checked (${checks.length})`);
    assert.deepEqual(over(checks), []);
    assert.doesNotThrow(() => assertSmsTemplatesFit(maxParts, false));
  });

  it('all fit 2 parts without marks (SMS_GSM7_ONLY), and then go as GSM-7', () => {
    const checks = checkSmsTemplates(2, true);
    assert.deepEqual(over(checks), []);
    assert.ok(checks.every((c) => c.encoding === 'GSM-7'));
    assert.doesNotThrow(() => assertSmsTemplatesFit(2, true));
  });

  it('the status replies to a look-up by SMS fit one part without marks, at their longest', () => {
    const replies = checkSmsTemplates(1, true).filter((c) => c.key.startsWith('notify.sms.lookup.status.') || c.key === 'notify.sms.lookup.late');
    assert.equal(replies.length, 2 * 11);
    assert.deepEqual(over(replies), []);
  });

  it('a limit too small stops the start with the key, the language and the figures', () => {
    assert.throws(
      () => assertSmsTemplatesFit(1, false),
      (err: unknown) => {
        assert.ok(err instanceof SmsTemplateError);
        assert.match(err.message, /SMS_MAX_PARTS=1/);
        assert.match(err.message, /\n {2}vi notify\.sms\.[\w.]+: \d+ parts \(\d+ UCS-2 characters\)/);
        assert.match(err.message, /SMS_GSM7_ONLY=true/);
        return true;
      },
    );
  });

  it('renders a template in the language asked, falling back to Vietnamese', () => {
    assert.equal(renderSms('vi', 'notify.sms.dossier_received', { code: 'X-1', due: '26/11/2026' }), 'Cầu Số: hồ sơ X-1 đã được tiếp nhận. Hẹn trả kết quả ngày 26/11/2026.');
    assert.equal(renderSms('en', 'notify.sms.dossier_received', { code: 'X-1', due: '26/11/2026' }), 'Cau So: dossier X-1 was received. Result due 26/11/2026.');
    assert.equal(renderSms('xx', 'notify.sms.lookup.status.10', { code: 'X-1' }), 'HS X-1: đã trả kết quả.');
    assert.equal(renderSms('vi', 'notify.sms.fees_due', { code: 'X-1', amount: 1_500_000 }), 'Cầu Số: hồ sơ X-1 cần nộp phí 1.500.000đ, trên Cổng hoặc tại UBND xã.');
  });
});

describe('text without marks', () => {
  it('turns "Hưng Phước" into "Hung Phuoc", and other Vietnamese letters likewise', () => {
    assert.equal(toGsm7Text('Hưng Phước'), 'Hung Phuoc');
    assert.equal(toGsm7Text('Đồng Nai, Bù Đốp, Ấp Thủy Đông'), 'Dong Nai, Bu Dop, Ap Thuy Dong');
    assert.equal(outgoingSmsText('Cầu Số: Hưng Phước', true), 'Cau So: Hung Phuoc');
    assert.equal(outgoingSmsText('Cầu Số: Hưng Phước', false), 'Cầu Số: Hưng Phước');
    assert.ok(isGsm7(toGsm7Text('Nguyễn Thị Hồng Nhung — “ữ” …')));
  });

  it('a short reply keeps its marks when they fit one part, and drops them only when that is what fits', () => {
    const short = 'HS H75.25309-261125-0001: đã tiếp nhận, hẹn trả 26/11/2026.';
    assert.equal(onePartIfPossible(short), short);
    const longer = 'HS H75.25309-261125-0001: cần bổ sung Bản sao Giấy chứng sinh, Căn cước của mẹ. Mang đến UBND xã.';
    assert.equal(smsLength(longer).parts, 2);
    const plain = onePartIfPossible(longer);
    assert.equal(plain, 'HS H75.25309-261125-0001: can bo sung Ban sao Giay chung sinh, Can cuoc cua me. Mang den UBND xa.');
    assert.equal(smsLength(plain).parts, 1);
    const tooLong = `${longer} ${longer}`;
    assert.equal(onePartIfPossible(tooLong), tooLong, 'two parts either way: as written');
  });
});
