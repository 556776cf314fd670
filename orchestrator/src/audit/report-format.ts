import type { AuditFiling } from './audit-filing.js';
import { AUDIT_HTML_CSP, renderAuditHtml } from './render-html.js';
import { renderFilingMarkdown } from './render-filing-markdown.js';
import { renderAuditSarif } from './render-sarif.js';

export const REPORT_FORMATS = ['html', 'json', 'markdown', 'sarif'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderedReport {
  contentType: string;
  body: string;
  /** The page's own policy (HTML only): it may load its stylesheet and nothing else. */
  contentSecurityPolicy?: string;
  /** What to call the file when saved. */
  extension: string;
}

export function renderAuditReport(filing: AuditFiling, format: ReportFormat): RenderedReport {
  switch (format) {
    case 'html':
      return {
        contentType: 'text/html; charset=utf-8',
        body: renderAuditHtml(filing),
        contentSecurityPolicy: AUDIT_HTML_CSP,
        extension: 'html',
      };
    case 'json':
      return {
        contentType: 'application/json; charset=utf-8',
        body: `${JSON.stringify(filing, null, 2)}\n`,
        extension: 'json',
      };
    case 'markdown':
      return {
        contentType: 'text/markdown; charset=utf-8',
        body: renderFilingMarkdown(filing),
        extension: 'md',
      };
    case 'sarif':
      return {
        contentType: 'application/sarif+json; charset=utf-8',
        body: renderAuditSarif(filing),
        extension: 'sarif',
      };
  }
}
