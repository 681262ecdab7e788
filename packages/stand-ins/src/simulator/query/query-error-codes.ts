// The SQLSTATE codes Query Service reports (PostgreSQL's; e.g. 53400 for the execution time limit).
export const QUERY_ERROR_CODES = {
  syntax: '42601',
  undefinedTable: '42P01',
  undefinedColumn: '42703',
  undefinedFunction: '42883',
  duplicateTable: '42P07',
  featureNotSupported: '0A000',
  dataException: '22000',
  programLimit: '54000',
  timeout: '53400',
  cancelled: '57014',
  interrupted: '57P01',
  internal: 'XX000',
} as const;
