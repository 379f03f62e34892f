/**
 * PDFs are stored as sent, so an upload that is a PDF and something else at once is refused:
 * a ZIP appended (an unzip tool would open it), HTML at its start, a file cut short. Real PDFs,
 * as pdfkit writes them and as the tests' minimal ones are, pass.
 */
import { it, describe } from 'node:test';
import assert from 'node:assert/strict';
import PDFDocument from 'pdfkit';
import { deflateRawSync } from 'node:zlib';
import { pdfLooksSound, prepareUpload } from '../../src/modules/dossiers/documents.ts';
import { Problem } from '../../src/http/problem.ts';

async function realPdf(): Promise<Buffer> {
  const doc = new PDFDocument();
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', resolve));
  doc.text('Giấy khai sinh — bản sao');
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

/** A one-file ZIP (stored), as a polyglot would append it. */
function zipOf(name: string, content: Buffer, comment = ''): Buffer {
  const n = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt32LE(content.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt32LE(content.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(n.length, 28);
  const c = Buffer.from(comment);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + n.length, 12);
  end.writeUInt32LE(30 + n.length + content.length, 16);
  end.writeUInt16LE(c.length, 20);
  return Buffer.concat([local, n, content, central, n, end, c]);
}

const refused = async (data: Buffer) => {
  await assert.rejects(prepareUpload({ filename: 'giấy.pdf', data }, 10_000_000), (e: unknown) => e instanceof Problem && e.status === 415 && e.code === 'upload.unreadable');
};

describe('PDF uploads', () => {
  it('accepts real PDFs, with or without a line after the end marker', async () => {
    const pdf = await realPdf();
    assert.equal(pdfLooksSound(pdf), true);
    const prepared = await prepareUpload({ filename: 'giấy.pdf', data: pdf }, 10_000_000);
    assert.equal(prepared.contentType, 'application/pdf');
    assert.ok(prepared.data.equals(pdf), 'stored as sent');
    assert.equal(pdfLooksSound(Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\r\n')), true);
  });

  it('refuses a PDF with a ZIP appended, even one hiding behind a comment', async () => {
    const pdf = await realPdf();
    await refused(Buffer.concat([pdf, zipOf('payload.html', Buffer.from('<script>alert(1)</script>'))]));
    // The ZIP's comment ends with %%EOF so the end marker closes the file: the directory still ends it.
    await refused(Buffer.concat([pdf, zipOf('a.txt', deflateRawSync(Buffer.from('x'.repeat(100))), '%%EOF')]));
  });

  it('refuses a PDF that starts a web page and one cut short', async () => {
    const pdf = await realPdf();
    await refused(Buffer.concat([Buffer.from('%PDF-1.4\n<html><body><script>alert(document.cookie)</script>\n'), pdf.subarray(9)]));
    await refused(Buffer.from('%PDF-1.7\n<!DOCTYPE html><svg onload=alert(1)>\n%%EOF\n'));
    await refused(pdf.subarray(0, Math.floor(pdf.length / 2)));
  });

  it('does not take a ZIP signature inside the file for a directory that ends it', () => {
    const inner = Buffer.concat([Buffer.from('%PDF-1.4\nstream\n'), Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(40), Buffer.from('\nendstream\ntrailer<<>>\n%%EOF\n')]);
    assert.equal(pdfLooksSound(inner), true);
  });
});
