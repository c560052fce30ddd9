"""Files shared by the station, the server and the CLI: catalog folders loaded and
saved, and atomic writes. The domain (:mod:`prep_core`) parses and formats; this
package touches the disk."""
