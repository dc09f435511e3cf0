// A job that exits without a reply (as after a native abort).
process.exit(7);
