-- 015_reserved: placeholder for migration 015, reserved for the portal branch,
-- so that this branch (016_crl) builds without a gap.  Delete this file and
-- its line in src/store/meson.build when the real 015 lands.
SELECT 1;
