package kstep.views;

import java.util.Collection;
import java.util.Collections;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.fxmisc.richtext.model.StyleSpans;
import org.fxmisc.richtext.model.StyleSpansBuilder;

/** Syntax colours for model files: keywords, types, comments, strings, numbers and preprocessor lines. */
final class ModelHighlighter {
    private static final String KEYWORDS = "\\b(if|else|while|do|for|return|break|continue|goto|switch|case|default|atomic|static|inline|typedef)\\b";
    private static final String TYPES = "\\b(struct|enum|void|int|long|bool|unsigned|u8|u16|u32|u64|s32|s64|char|[a-z_]+_t)\\b";
    private static final Pattern PATTERN = Pattern.compile(
        "(?<COMMENT>//[^\n]*|/\\*(.|\\R)*?\\*/)"
            + "|(?<PREPROC>^[ \\t]*#[^\n]*)"
            + "|(?<STRING>\"([^\"\\\\]|\\\\.)*\")"
            + "|(?<KEYWORD>" + KEYWORDS + ")"
            + "|(?<TYPE>" + TYPES + ")"
            + "|(?<NUMBER>\\b(0x[0-9a-fA-F]+|[0-9]+)\\b)",
        Pattern.MULTILINE);

    private ModelHighlighter() { }

    static StyleSpans<Collection<String>> highlight(String text) {
        Matcher m = PATTERN.matcher(text);
        int last = 0;
        StyleSpansBuilder<Collection<String>> b = new StyleSpansBuilder<>();
        while (m.find()) {
            String cls = m.group("COMMENT") != null ? "comment"
                : m.group("PREPROC") != null ? "preproc"
                : m.group("STRING") != null ? "string"
                : m.group("KEYWORD") != null ? "keyword"
                : m.group("TYPE") != null ? "type" : "number";
            b.add(Collections.emptyList(), m.start() - last);
            b.add(Collections.singleton(cls), m.end() - m.start());
            last = m.end();
        }
        b.add(Collections.emptyList(), text.length() - last);
        return b.create();
    }
}
