/** Kysely's view of the campaign tables (migrations/011_campaigns.sql). */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface CampaignsTable {
  id: Generated<number>;
  name: string;
  description: ColumnType<string, string | undefined, string>;
  starts_on: ColumnType<string, string, string>;
  ends_on: ColumnType<string, string, string>;
  unit_id: number;
  indicators: string[];
  version: ColumnType<number, number | undefined, number>;
  created_by: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CampaignUnitsTable {
  campaign_id: number;
  unit_id: number;
}

export interface CampaignTargetsTable {
  campaign_id: number;
  unit_id: number;
  indicator: string;
  /** numeric(12,1): the driver hands it back as a string */
  target: ColumnType<string, number | string, number | string>;
  set_by: number;
  set_at: Timestamp;
}

export interface RegisterDaysTable {
  unit_id: number;
  day: ColumnType<string, string, string>;
  households: ColumnType<number, number | undefined, number>;
  residents: ColumnType<number, number | undefined, number>;
  adults: ColumnType<number, number | undefined, number>;
  smartphone: ColumnType<number, number | undefined, number>;
  sim_matched: ColumnType<number, number | undefined, number>;
  vneid2: ColumnType<number, number | undefined, number>;
  service_accounts: ColumnType<number, number | undefined, number>;
  wallet_or_bank: ColumnType<number, number | undefined, number>;
}

export interface RegisterDirtyTable {
  id: Generated<string>;
  unit_id: number;
}

declare module '../../db/schema.ts' {
  interface DB {
    campaigns: CampaignsTable;
    campaign_units: CampaignUnitsTable;
    campaign_targets: CampaignTargetsTable;
    register_days: RegisterDaysTable;
    register_dirty: RegisterDirtyTable;
  }
}
