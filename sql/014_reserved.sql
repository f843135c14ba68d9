-- 014_reserved: placeholder for migration 014, reserved for the appcore branch,
-- so that this branch (016_crl) builds without a gap.  Delete this file and
-- its line in src/store/meson.build when the real 014 lands.
SELECT 1;
