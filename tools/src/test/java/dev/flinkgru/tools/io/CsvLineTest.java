package dev.flinkgru.tools.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CsvLineTest {

    @Test
    void splitsPlainFields() {
        assertThat(CsvLine.split("a,b,c")).containsExactly("a", "b", "c");
        assertThat(CsvLine.split("")).containsExactly("");
        assertThat(CsvLine.split("a,,c,")).containsExactly("a", "", "c", "");
        assertThat(CsvLine.split(" a , b ")).containsExactly(" a ", " b ");
    }

    @Test
    void unquotesRfc4180Fields() {
        assertThat(CsvLine.split("\"x, y\",2")).containsExactly("x, y", "2");
        assertThat(CsvLine.split("\"say \"\"hi\"\"\",1")).containsExactly("say \"hi\"", "1");
        assertThat(CsvLine.split("\"\",b")).containsExactly("", "b");
        assertThat(CsvLine.split("a\"b\"c")).containsExactly("abc");
    }

    @Test
    void quotesOnlyWhatNeedsIt() {
        assertThat(CsvLine.quote("plain")).isEqualTo("plain");
        assertThat(CsvLine.quote("a,b")).isEqualTo("\"a,b\"");
        assertThat(CsvLine.quote("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(CsvLine.quote("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(CsvLine.quote("cr\r")).isEqualTo("\"cr\r\"");
    }

    @Test
    void aQuotedValueSplitsBackToItself() {
        for (String value : new String[] {"k0,44", "\"", "a\"\"b", ",", ""}) {
            assertThat(CsvLine.split(CsvLine.quote(value) + ",z")).containsExactly(value, "z");
        }
    }
}
