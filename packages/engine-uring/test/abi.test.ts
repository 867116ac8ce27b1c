import { constants } from '@binio/testkit';
import { describe, expect, it } from 'vitest';
import * as A from '../src/uring/abi.js';

/**
 * Checks each value of `group` against the C constant `prefix + key`, or
 * the name `cName(key)` gives where the header breaks the pattern.
 */
function checkGroup(
  group: Record<string, number>,
  prefix: string,
  cName = (k: string) => prefix + k,
) {
  const c = constants(['linux/io_uring.h'], Object.keys(group).map(cName));
  for (const [k, v] of Object.entries(group)) expect(v, cName(k)).toBe(c[cName(k)]);
}

describe('io_uring constants match <linux/io_uring.h>', () => {
  it('opcodes', () => checkGroup(A.Op, 'IORING_OP_'));
  it('SQE flags', () => checkGroup(A.SqeFlag, 'IOSQE_'));
  it('setup flags', () => checkGroup(A.Setup, 'IORING_SETUP_'));
  it('features', () => checkGroup(A.Feature, 'IORING_FEAT_'));
  it('enter flags', () => checkGroup(A.Enter, 'IORING_ENTER_'));
  it('ring flags', () => {
    checkGroup(A.SqFlag, 'IORING_SQ_');
    checkGroup(A.CqFlag, 'IORING_CQ_');
    checkGroup(A.CqeFlag, 'IORING_CQE_F_');
  });
  it('register opcodes and restrictions', () => {
    checkGroup(A.Register, 'IORING_REGISTER_', (k) =>
      k.startsWith('UNREGISTER_') ? `IORING_${k}` : `IORING_REGISTER_${k}`,
    );
    checkGroup(A.Restriction, 'IORING_RESTRICTION_');
  });
  it('per-op flags', () => {
    checkGroup(A.TimeoutFlag, 'IORING_TIMEOUT_', (k) =>
      k.startsWith('LINK_') ? `IORING_${k}` : `IORING_TIMEOUT_${k}`,
    );
    checkGroup(A.CancelFlag, 'IORING_ASYNC_CANCEL_');
    checkGroup(
      { POLL_FIRST: A.RecvSendFlag.POLL_FIRST, FIXED_BUF: A.RecvSendFlag.FIXED_BUF },
      'IORING_RECVSEND_',
    );
    checkGroup(
      { RECV_MULTISHOT: A.RecvSendFlag.RECV_MULTISHOT, ACCEPT_MULTISHOT: A.ACCEPT_MULTISHOT },
      'IORING_',
    );
    checkGroup({ SEND_ZC_REPORT_USAGE: A.RecvSendFlag.SEND_ZC_REPORT_USAGE }, 'IORING_');
  });
  it('single values', () => {
    const c = constants(
      ['linux/io_uring.h'],
      [
        'IORING_CQE_BUFFER_SHIFT',
        'IO_URING_OP_SUPPORTED',
        'IORING_FSYNC_DATASYNC',
        'IORING_FILE_INDEX_ALLOC',
        'IORING_REGISTER_FILES_SKIP',
        'IORING_NOTIF_USAGE_ZC_COPIED',
        'IORING_OFF_SQ_RING',
        'IORING_OFF_CQ_RING',
        'IORING_OFF_SQES',
      ],
    );
    expect(c).toEqual({
      IORING_CQE_BUFFER_SHIFT: A.CQE_BUFFER_SHIFT,
      IO_URING_OP_SUPPORTED: A.IO_URING_OP_SUPPORTED,
      IORING_FSYNC_DATASYNC: A.FSYNC_DATASYNC,
      IORING_FILE_INDEX_ALLOC: A.FILE_INDEX_ALLOC,
      IORING_REGISTER_FILES_SKIP: A.REGISTER_FILES_SKIP,
      IORING_NOTIF_USAGE_ZC_COPIED: A.NOTIF_USAGE_ZC_COPIED,
      IORING_OFF_SQ_RING: A.MmapOffset.SQ_RING,
      IORING_OFF_CQ_RING: A.MmapOffset.CQ_RING,
      IORING_OFF_SQES: A.MmapOffset.SQES,
    });
  });
  it('OP_NAMES names every opcode', () => {
    for (const [name, n] of Object.entries(A.Op)) expect(A.OP_NAMES[n]).toBe(name);
  });
});
