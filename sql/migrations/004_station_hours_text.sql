-- Opening hours as a station list wrote them ("周一至周五 8:30-17:30"), kept beside the OSM
-- opening_hours the importer converted them to ("Mo-Fr 08:30-17:30"). NULL when the hours were
-- given in OSM syntax, entered in the editor, or edited since (the editor clears it).
ALTER TABLE stations ADD COLUMN opening_hours_text text CHECK (opening_hours_text IS NULL OR length(opening_hours_text) BETWEEN 1 AND 500);
