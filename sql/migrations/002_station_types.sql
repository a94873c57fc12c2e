-- Reference data: station types and their default coverage standards.
-- Kept in step with server/domain/stations.ts (a test compares them).
INSERT INTO station_types (code, name_zh, name_en, coverage_mode, coverage_radius_m, coverage_minutes) VALUES
  ('party_service_center', '党群服务中心',     'Party–mass service centre',      'radius', 1000, 15),
  ('courier_station',      '爱心驿站',         'Courier & rider rest station',   'radius', 1000, 10),
  ('elderly_canteen',      '老年食堂',         'Elderly canteen',                'walk',   1000, 15),
  ('elderly_care_center',  '社区养老服务中心', 'Community elderly-care centre',  'walk',   1000, 15),
  ('after_school_room',    '三点半学堂',       'After-school room',              'walk',   1000, 15),
  ('vegetable_pickup',     '放心菜自提点',     'Fresh-vegetable pick-up point',  'walk',   1000, 15)
ON CONFLICT (code) DO NOTHING;
