package org.elasticsearch.xpack.loopback;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.miscellaneous.RemoveDuplicatesTokenFilter;
import org.apache.lucene.analysis.pattern.PatternCaptureGroupTokenFilter;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * The analysis parts the {@code .security} index's {@code email} analyzer asks for, which a
 * distribution gets from its analysis-common module (not published): the {@code uax_url_email}
 * tokenizer and the {@code pattern_capture} and {@code unique} token filters, made from Lucene's
 * own classes. Without them the index cannot be created, so no API key or native user could be.
 */
public final class SecurityIndexAnalysis extends Plugin implements AnalysisPlugin {

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of("uax_url_email", (indexSettings, environment, name, settings) -> TokenizerFactory.newFactory(name, () -> {
            UAX29URLEmailTokenizer tokenizer = new UAX29URLEmailTokenizer();
            tokenizer.setMaxTokenLength(settings.getAsInt("max_token_length", StandardAnalyzer.DEFAULT_MAX_TOKEN_LENGTH));
            return tokenizer;
        }));
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
            // Built only where an index's analysis settings define one (it has no sensible default patterns).
            "pattern_capture", AnalysisPlugin.requiresAnalysisSettings(
                (indexSettings, environment, name, settings) -> patternCapture(name, settings)),
            "unique", (indexSettings, environment, name, settings) -> unique(name, settings));
    }

    private static TokenFilterFactory patternCapture(String name, Settings settings) {
        List<String> sources = settings.getAsList("patterns");
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("pattern_capture filter [" + name + "] needs at least one entry in [patterns]");
        }
        Pattern[] patterns = sources.stream().map(Pattern::compile).toArray(Pattern[]::new);
        boolean preserveOriginal = settings.getAsBoolean("preserve_original", true);
        return factory(name, input -> new PatternCaptureGroupTokenFilter(input, preserveOriginal, patterns));
    }

    private static TokenFilterFactory unique(String name, Settings settings) {
        if (settings.getAsBoolean("only_on_same_position", false)) {
            return factory(name, RemoveDuplicatesTokenFilter::new);
        }
        return factory(name, UniqueTerms::new);
    }

    private static TokenFilterFactory factory(String name, java.util.function.UnaryOperator<TokenStream> filter) {
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream input) {
                return filter.apply(input);
            }
        };
    }

    /**
     * Drops every token whose term was already seen in the stream (Lucene has a filter for repeats at
     * one position only). A dropped token's position increment carries over to the next kept one.
     */
    static final class UniqueTerms extends TokenFilter {
        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
        private final PositionIncrementAttribute position = addAttribute(PositionIncrementAttribute.class);
        private final CharArraySet seen = new CharArraySet(8, false);

        UniqueTerms(TokenStream input) {
            super(input);
        }

        @Override
        public boolean incrementToken() throws IOException {
            int skipped = 0;
            while (input.incrementToken()) {
                char[] copy = new char[term.length()];
                System.arraycopy(term.buffer(), 0, copy, 0, term.length());
                if (seen.add(copy)) {
                    position.setPositionIncrement(position.getPositionIncrement() + skipped);
                    return true;
                }
                skipped += position.getPositionIncrement();
            }
            return false;
        }

        @Override
        public void reset() throws IOException {
            super.reset();
            seen.clear();
        }
    }
}
