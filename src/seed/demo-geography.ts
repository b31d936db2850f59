/**
 * Demo geography: one street (街道) in Shenzhen Nanshan with two neighbouring communities.
 * Every community has a boundary polygon and 4 grids (网格) that tile it exactly: no gaps, no
 * overlaps, shared edges use identical coordinates. Polygons are GeoJSON (RFC 7946): positions
 * are [lng, lat], exterior rings counter-clockwise and closed. Buildings lie strictly inside a grid.
 * Coordinates, phone numbers and names are illustrative, not surveyed data.
 */
import type { GeoJsonPolygon } from '../modules/grids/geo.types.ts';

export interface DemoGrid {
  code: string;
  name: string;
  polygon: GeoJsonPolygon;
}

export interface DemoBuilding {
  code: string;
  name: string;
  address: string;
  lat: number;
  lng: number;
  /** The grid the building lies in (kept here so seeds and tests can check point-in-polygon). */
  gridCode: string;
}

export interface DemoCommunity {
  code: string;
  name: string;
  nameEn: string;
  center: { lat: number; lng: number };
  boundary: GeoJsonPolygon;
  grids: DemoGrid[];
  buildings: DemoBuilding[];
  hotline: string;
  windowAddress: string;
  windowHours: string;
  wechat: string;
}

export const DEMO_STREET: { code: string; name: string; nameEn: string } = {
  code: 'taoyuan-street',
  name: '桃源街道',
  nameEn: 'Taoyuan Street',
};

export const DEMO_COMMUNITIES: DemoCommunity[] = [
  {
    code: 'taoyuan',
    name: '桃源社区',
    nameEn: 'Taoyuan Community',
    center: {
      lat: 22.56,
      lng: 113.945,
    },
    boundary: {
      type: 'Polygon',
      coordinates: [
        [
          [113.94, 22.555],
          [113.945, 22.555],
          [113.95, 22.555],
          [113.95, 22.56],
          [113.95, 22.565],
          [113.945, 22.565],
          [113.94, 22.565],
          [113.94, 22.56],
          [113.94, 22.555],
        ],
      ],
    },
    grids: [
      {
        code: 'taoyuan-g1',
        name: '桃源第一网格',
        polygon: {
          type: 'Polygon',
          coordinates: [
            [
              [113.94, 22.56],
              [113.945, 22.56],
              [113.945, 22.565],
              [113.94, 22.565],
              [113.94, 22.56],
            ],
          ],
        },
      },
      {
        code: 'taoyuan-g2',
        name: '桃源第二网格',
        polygon: {
          type: 'Polygon',
          coordinates: [
            [
              [113.945, 22.56],
              [113.95, 22.56],
              [113.95, 22.565],
              [113.945, 22.565],
              [113.945, 22.56],
            ],
          ],
        },
      },
      {
        code: 'taoyuan-g3',
        name: '桃源第三网格',
        polygon: {
          type: 'Polygon',
          coordinates: [
            [
              [113.94, 22.555],
              [113.945, 22.555],
              [113.945, 22.56],
              [113.94, 22.56],
              [113.94, 22.555],
            ],
          ],
        },
      },
      {
        code: 'taoyuan-g4',
        name: '桃源第四网格',
        polygon: {
          type: 'Polygon',
          coordinates: [
            [
              [113.945, 22.555],
              [113.95, 22.555],
              [113.95, 22.56],
              [113.945, 22.56],
              [113.945, 22.555],
            ],
          ],
        },
      },
    ],
    buildings: [
      {
        code: 'taoyuan-b01',
        name: '桃源村1栋',
        address: '深圳市南山区桃源街道桃源村1栋',
        lat: 22.5615,
        lng: 113.94125,
        gridCode: 'taoyuan-g1',
      },
      {
        code: 'taoyuan-b02',
        name: '桃源村2栋',
        address: '深圳市南山区桃源街道桃源村2栋',
        lat: 22.56275,
        lng: 113.9435,
        gridCode: 'taoyuan-g1',
      },
      {
        code: 'taoyuan-b03',
        name: '桃源村3栋',
        address: '深圳市南山区桃源街道桃源村3栋',
        lat: 22.564,
        lng: 113.942,
        gridCode: 'taoyuan-g1',
      },
      {
        code: 'taoyuan-b04',
        name: '桃源村4栋',
        address: '深圳市南山区桃源街道桃源村4栋',
        lat: 22.5615,
        lng: 113.94635,
        gridCode: 'taoyuan-g2',
      },
      {
        code: 'taoyuan-b05',
        name: '桃源村5栋',
        address: '深圳市南山区桃源街道桃源村5栋',
        lat: 22.56275,
        lng: 113.9486,
        gridCode: 'taoyuan-g2',
      },
      {
        code: 'taoyuan-b06',
        name: '桃源村6栋',
        address: '深圳市南山区桃源街道桃源村6栋',
        lat: 22.564,
        lng: 113.9471,
        gridCode: 'taoyuan-g2',
      },
      {
        code: 'taoyuan-b07',
        name: '桃源村7栋',
        address: '深圳市南山区桃源街道桃源村7栋',
        lat: 22.5565,
        lng: 113.94145,
        gridCode: 'taoyuan-g3',
      },
      {
        code: 'taoyuan-b08',
        name: '桃源村8栋',
        address: '深圳市南山区桃源街道桃源村8栋',
        lat: 22.55775,
        lng: 113.9437,
        gridCode: 'taoyuan-g3',
      },
      {
        code: 'taoyuan-b09',
        name: '桃源村9栋',
        address: '深圳市南山区桃源街道桃源村9栋',
        lat: 22.559,
        lng: 113.9422,
        gridCode: 'taoyuan-g3',
      },
      {
        code: 'taoyuan-b10',
        name: '桃源村10栋',
        address: '深圳市南山区桃源街道桃源村10栋',
        lat: 22.5565,
        lng: 113.94655,
        gridCode: 'taoyuan-g4',
      },
      {
        code: 'taoyuan-b11',
        name: '桃源村11栋',
        address: '深圳市南山区桃源街道桃源村11栋',
        lat: 22.55775,
        lng: 113.9488,
        gridCode: 'taoyuan-g4',
      },
      {
        code: 'taoyuan-b12',
        name: '桃源村12栋',
        address: '深圳市南山区桃源街道桃源村12栋',
        lat: 22.559,
        lng: 113.9473,
        gridCode: 'taoyuan-g4',
      },
    ],
    hotline: '0755-26601234',
    windowAddress: '深圳市南山区桃源街道桃源村一区党群服务中心一楼',
    windowHours: '周一至周五 09:00-12:00, 14:00-18:00；周六 09:00-12:00',
    wechat: '桃源社区服务号',
  },
  {
    code: 'longzhu',
    name: '龙珠社区',
    nameEn: 'Longzhu Community',
    center: {
      lat: 22.56,
      lng: 113.955,
    },
    boundary: {
      type: 'Polygon',
      coordinates: [
        [
          [113.95, 22.555],
          [113.955, 22.555],
          [113.96, 22.555],
          [113.96, 22.56],
          [113.96, 22.565],
          [113.955, 22.565],
          [113.95, 22.565],
          [113.95, 22.56],
          [113.95, 22.555],
        ],
      ],
    },
    grids: [
      {
        code: 'longzhu-g1',
        name: '龙珠第一网格',
        polygon: {
          type: 'Polygon',
          coordinates: [
            [
              [113.95, 22.56],
              [113.955, 22.56],
              [113.955, 22.565],
              [113.95, 22.565],
              [113.95, 22.56],
            ],
          ],
        },
      },
      {
        code: 'longzhu-g2',
        name: '龙珠第二网格',
        polygon: {
          type: 'Polygon',
          coordinates: [
            [
              [113.955, 22.56],
              [113.96, 22.56],
              [113.96, 22.565],
              [113.955, 22.565],
              [113.955, 22.56],
            ],
          ],
        },
      },
      {
        code: 'longzhu-g3',
        name: '龙珠第三网格',
        polygon: {
          type: 'Polygon',
          coordinates: [
            [
              [113.95, 22.555],
              [113.955, 22.555],
              [113.955, 22.56],
              [113.95, 22.56],
              [113.95, 22.555],
            ],
          ],
        },
      },
      {
        code: 'longzhu-g4',
        name: '龙珠第四网格',
        polygon: {
          type: 'Polygon',
          coordinates: [
            [
              [113.955, 22.555],
              [113.96, 22.555],
              [113.96, 22.56],
              [113.955, 22.56],
              [113.955, 22.555],
            ],
          ],
        },
      },
    ],
    buildings: [
      {
        code: 'longzhu-b01',
        name: '龙珠花园1栋',
        address: '深圳市南山区桃源街道龙珠花园1栋',
        lat: 22.5615,
        lng: 113.95125,
        gridCode: 'longzhu-g1',
      },
      {
        code: 'longzhu-b02',
        name: '龙珠花园2栋',
        address: '深圳市南山区桃源街道龙珠花园2栋',
        lat: 22.56275,
        lng: 113.9535,
        gridCode: 'longzhu-g1',
      },
      {
        code: 'longzhu-b03',
        name: '龙珠花园3栋',
        address: '深圳市南山区桃源街道龙珠花园3栋',
        lat: 22.564,
        lng: 113.952,
        gridCode: 'longzhu-g1',
      },
      {
        code: 'longzhu-b04',
        name: '龙珠花园4栋',
        address: '深圳市南山区桃源街道龙珠花园4栋',
        lat: 22.5615,
        lng: 113.95635,
        gridCode: 'longzhu-g2',
      },
      {
        code: 'longzhu-b05',
        name: '龙珠花园5栋',
        address: '深圳市南山区桃源街道龙珠花园5栋',
        lat: 22.56275,
        lng: 113.9586,
        gridCode: 'longzhu-g2',
      },
      {
        code: 'longzhu-b06',
        name: '龙珠花园6栋',
        address: '深圳市南山区桃源街道龙珠花园6栋',
        lat: 22.564,
        lng: 113.9571,
        gridCode: 'longzhu-g2',
      },
      {
        code: 'longzhu-b07',
        name: '龙珠花园7栋',
        address: '深圳市南山区桃源街道龙珠花园7栋',
        lat: 22.5565,
        lng: 113.95145,
        gridCode: 'longzhu-g3',
      },
      {
        code: 'longzhu-b08',
        name: '龙珠花园8栋',
        address: '深圳市南山区桃源街道龙珠花园8栋',
        lat: 22.55775,
        lng: 113.9537,
        gridCode: 'longzhu-g3',
      },
      {
        code: 'longzhu-b09',
        name: '龙珠花园9栋',
        address: '深圳市南山区桃源街道龙珠花园9栋',
        lat: 22.559,
        lng: 113.9522,
        gridCode: 'longzhu-g3',
      },
      {
        code: 'longzhu-b10',
        name: '龙珠花园10栋',
        address: '深圳市南山区桃源街道龙珠花园10栋',
        lat: 22.5565,
        lng: 113.95655,
        gridCode: 'longzhu-g4',
      },
      {
        code: 'longzhu-b11',
        name: '龙珠花园11栋',
        address: '深圳市南山区桃源街道龙珠花园11栋',
        lat: 22.55775,
        lng: 113.9588,
        gridCode: 'longzhu-g4',
      },
      {
        code: 'longzhu-b12',
        name: '龙珠花园12栋',
        address: '深圳市南山区桃源街道龙珠花园12栋',
        lat: 22.559,
        lng: 113.9573,
        gridCode: 'longzhu-g4',
      },
    ],
    hotline: '0755-26605678',
    windowAddress: '深圳市南山区桃源街道龙珠花园党群服务中心一楼',
    windowHours: '周一至周五 09:00-12:00, 14:00-18:00；周六 09:00-12:00',
    wechat: '龙珠社区服务号',
  },
];

/** A community by code, or undefined. */
export function findDemoCommunity(code: string): DemoCommunity | undefined {
  return DEMO_COMMUNITIES.find((c) => c.code === code);
}
