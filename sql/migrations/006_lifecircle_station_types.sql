-- Life-circle facilities (issue 15): the station types the rule packs in server/lifecircle/packs
-- map their categories to. Kept in step with server/domain/stations.ts (a test compares them).
INSERT INTO station_types (code, name_zh, name_en, coverage_mode, coverage_radius_m, coverage_minutes) VALUES
  ('community_health_station', '社区卫生服务站',   'Community health station',        'walk',  800, 10),
  ('community_health_center',  '社区卫生服务中心', 'Community health centre',         'walk', 1000, 15),
  ('kindergarten',             '幼儿园',           'Kindergarten',                    'walk',  300,  5),
  ('primary_school',           '小学',             'Primary school',                  'walk',  500, 10),
  ('middle_school',            '中学',             'Middle school',                   'walk', 1000, 15),
  ('fresh_market',             '菜市场/生鲜超市',  'Food market / fresh supermarket', 'walk',  800, 10),
  ('convenience_store',        '便利店',           'Convenience store',               'walk',  400,  5),
  ('pharmacy',                 '药店',             'Pharmacy',                        'walk', 1000, 15),
  ('bus_stop',                 '公交站',           'Bus stop',                        'walk',  300,  5),
  ('community_canteen',        '社区食堂',         'Community canteen',               'walk',  500, 10),
  ('elderly_service_station',  '养老服务站',       'Elderly service station',         'walk',  400,  5)
ON CONFLICT (code) DO NOTHING;
