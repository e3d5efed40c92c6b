/** DPD's status codes and the ledger's statuses, one to one (read by the query, the wire form and the document). */
export const statusOfCode: Record<string, string> = {
  ACT: 'paid',
  PND: 'pending',
  RFD: 'refunded',
  ERR: 'error',
  CAN: 'canceled',
  HLD: 'held',
};
