// A lesson program imports only LessonRuntime; it sees the whole project through these re-exports.
@_exported import Attribution
@_exported import Course
@_exported import Engine
@_exported import Imaging
@_exported import Models
