package kstep.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import kstep.lang.SourceError;
import kstep.lang.SourcePos;

/** A command's input file: a missing or unreadable one is bad input at its line 1, column 1. */
final class InputFiles {
    private InputFiles() { }

    static byte[] bytes(String path) {
        try {
            return Files.readAllBytes(Path.of(path));
        } catch (NoSuchFileException e) {
            throw new SourceError(new SourcePos(path, 1, 1), "no such file");
        } catch (IOException e) {
            throw new SourceError(new SourcePos(path, 1, 1), "cannot read: " + e.getMessage());
        }
    }

    /** The file as UTF-8 text; bytes that are not UTF-8 are an error, as Files.readString makes them. */
    static String text(String path) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes(path))).toString();
        } catch (CharacterCodingException e) {
            throw new SourceError(new SourcePos(path, 1, 1), "cannot read: " + e.getMessage());
        }
    }
}
