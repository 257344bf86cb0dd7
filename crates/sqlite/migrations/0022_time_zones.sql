-- Time zones: the one a person chose for themselves (the others read the company's, a
-- setting), and a customer's where staff know it. Names are the IANA database's, checked
-- by the server before they are written. A person's zone is cached with the directory,
-- so changing it moves the directory version like any change to people.
CREATE TABLE staff_time_zones (
    person_id  INTEGER PRIMARY KEY REFERENCES people(id),
    time_zone  TEXT NOT NULL
);
CREATE TRIGGER staff_time_zones_added AFTER INSERT ON staff_time_zones
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER staff_time_zones_changed AFTER UPDATE ON staff_time_zones
BEGIN UPDATE directory_version SET version = version + 1; END;
CREATE TRIGGER staff_time_zones_removed AFTER DELETE ON staff_time_zones
BEGIN UPDATE directory_version SET version = version + 1; END;

ALTER TABLE customers ADD COLUMN time_zone TEXT;
