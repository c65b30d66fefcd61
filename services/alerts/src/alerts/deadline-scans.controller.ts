/**
 * Runs the deadline scan now instead of at the next ALERT_SCAN_INTERVAL_MS tick: for demos (with CLOCK_OFFSET_MS
 * moving the business clock) and for operators after fixing data. Admin only. The scan is the scheduler's own, so
 * a scan already running in this process is shared, and re-runs raise nothing twice.
 */
import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiKeyRequired, Roles } from '@tracker/platform';
import { DeadlineScheduler, type ScanResult } from './deadline-scheduler';

export class DeadlineScan implements ScanResult {
  @ApiProperty({ format: 'date', example: '2026-12-02', description: 'the business day the scan ran for (CLOCK_OFFSET_MS moves it)' })
  today: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'milestones looked at (due within the largest approach window, or past due)' })
  checked: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'agreements looked at for agreement.stalled' })
  idleAgreements: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'alerts this scan created (not those that already existed)' })
  raised: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'milestones and agreements whose raise failed (logged; the next scan tries them again)' })
  failed: number;
  @ApiProperty({ type: 'number', minimum: 0, description: 'how long the scan took' })
  seconds: number;
}

@ApiTags('admin')
@ApiKeyRequired()
@Roles('admin')
@Controller('admin/deadline-scans')
export class DeadlineScansController {
  constructor(private readonly scheduler: DeadlineScheduler) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Run the deadline scan now (deadline.approaching, deadline.missed, agreement.stalled) and say what it raised' })
  @ApiOkResponse({ type: DeadlineScan })
  async run(): Promise<DeadlineScan> {
    const started = performance.now();
    const result = await this.scheduler.runOnce();
    return { ...result, seconds: Math.round(performance.now() - started) / 1000 };
  }
}
