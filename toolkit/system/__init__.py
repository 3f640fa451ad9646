"""The machine around the register: owner-only files, folders, the configuration folder, progress on stderr."""
