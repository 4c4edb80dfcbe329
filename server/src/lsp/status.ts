import type { Connection } from 'vscode-languageserver/node';
import type { VerifyReport } from '../engine/verifyTypes';
import { StatusNotification, type LastVerifySummary, type StatusParams } from '../protocol';

function summarize(report: VerifyReport): LastVerifySummary {
  return {
    passed: report.passed,
    cases: report.cases.length,
    failed: report.cases.filter((c) => c.status !== 'pass').length,
    at: report.createdAt,
  };
}

/** Keeps the last status and sends `mlParity/status` whenever a part of it changes. */
export class StatusReporter {
  private status: StatusParams = { state: 'idle', findings: 0 };

  constructor(private readonly connection: Connection) {}

  update(change: Partial<StatusParams>): void {
    this.status = { ...this.status, ...change };
    if (!('error' in change)) delete this.status.error;
    void this.connection.sendNotification(StatusNotification, this.status).catch(() => undefined);
  }

  verified(report: VerifyReport): void {
    this.update({ lastVerify: summarize(report), state: 'idle' });
  }
}
