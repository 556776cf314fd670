import { AgentdError, ValidationError } from '../common/errors.js';
import { REPORT_FORMATS, type ReportFormat } from '../audit/report-format.js';
import type { ApiClient } from './api-client.js';

function isReportFormat(format: string): format is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(format);
}

/** The report exactly as agentd rendered it (the body is the document: never re-parsed or re-indented). */
export async function fetchAuditReport(api: ApiClient, format: string): Promise<string> {
  if (!isReportFormat(format))
    throw new ValidationError('invalid --format', [`"${format}" is not one of ${REPORT_FORMATS.join(', ')}`]);
  const res = await api.fetch('GET', `/api/audit/report?format=${format}`);
  const body = await res.text();
  if (!res.ok)
    throw new AgentdError('INTERNAL_ERROR', `GET /api/audit/report: ${res.status} ${body}`.trim(), {
      details: { status: res.status },
    });
  return body;
}
