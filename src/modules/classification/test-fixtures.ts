/** Small labelled fixtures for the classifier tests (not test files themselves). */
import { toCsv } from '../../platform/csv.ts';

const SUBJECTS = ['我家', '3号楼', '楼上邻居', '我们单元', '小区东门', '我妈家'];
const CLASSES: Record<string, string[]> = {
  repair: ['水管漏水了', '水龙头坏了滴水', '马桶堵了', '家里停电了', '插座没电'],
  lift: ['电梯坏了', '电梯门关不上', '电梯有异响', '电梯按钮失灵', '电梯停在半层'],
  activity: ['想报名合唱团', '社区活动什么时候办', '想借活动室', '书法班还招人吗', '周末有亲子活动吗'],
};

/** Rows of `text,title,label` — 30 per class. */
export function fixtureRows(): string[][] {
  const rows: string[][] = [['text', 'title', 'label']];
  for (const [label, problems] of Object.entries(CLASSES)) {
    SUBJECTS.forEach((s, i) => {
      problems.forEach((p, j) =>
        rows.push([`${s}${p}，麻烦处理`, `${label === 'activity' ? '咨询' : '报修'}${i + j}`, label]),
      );
    });
  }
  return rows;
}

export function fixtureCsv(): string {
  return toCsv(fixtureRows());
}
