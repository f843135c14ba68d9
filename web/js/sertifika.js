// sertifika.js - shared by the certificate pages: the holder's certificates
// from /api/v1/certificates and how their status reads in Turkish.
import { api } from './api.js';

export const STATUS_TR = {
  active: 'Kullanımda',
  hold: 'Askıda',
  revoked: 'İptal edildi',
  expired: 'Süresi dolmuş',
};

// CRLReason names (RFC 5280) as the holder reads them.
export const REASON_TR = {
  unspecified: 'Belirtilmemiş',
  keyCompromise: 'Kart kayıp, çalıntı veya anahtar güvenliği şüpheli',
  affiliationChanged: 'Kurum / kimlik bilgilerim değişti',
  superseded: 'Yeni sertifika ile değiştirildi',
  cessationOfOperation: 'Sertifikaya artık ihtiyacım yok',
  privilegeWithdrawn: 'Yetki geri alındı',
};

export async function listCertificates() {
  const data = await api.get('/api/v1/certificates');
  return data.certificates || [];
}

// "12 Ocak 2026" in Turkish, Istanbul time.
export function formatDay(unix) {
  return new Intl.DateTimeFormat('tr-TR', {
    day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Istanbul',
  }).format(new Date(unix * 1000));
}

// The status as a badge, followed by "(neden)" for a revoked one.
export function statusBadge(c) {
  const wrap = document.createElement('span');
  wrap.className = 'status-cell';
  const badge = document.createElement('span');
  badge.className = 'status status-' + c.status;
  badge.textContent = STATUS_TR[c.status] || c.status;
  wrap.appendChild(badge);
  if (c.status === 'revoked' && c.reason) {
    const reason = document.createElement('span');
    reason.className = 'reason';
    reason.textContent = '(' + (REASON_TR[c.reason] || c.reason) + ')';
    wrap.append(' ', reason);
  }
  return wrap;
}

// Serial numbers in groups of 4 for reading.
export function groupSerial(s) {
  return String(s).toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');
}

// A cell; on a phone the table stacks and each cell shows its column's
// name (data-label, from the table's header).
export function cell(row, content) {
  const td = document.createElement('td');
  const table = row.closest('table');
  const th = table && table.tHead ? table.tHead.rows[0].cells[row.cells.length] : null;
  if (th) td.dataset.label = th.textContent;
  if (content instanceof Node) td.appendChild(content);
  else td.textContent = content == null ? '' : String(content);
  row.appendChild(td);
  return td;
}
