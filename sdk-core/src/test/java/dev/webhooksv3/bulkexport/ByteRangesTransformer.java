package dev.webhooksv3.bulkexport;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A WireMock transformer that answers {@code Range: bytes=N-} on a 200 stub with a byte body by
 * 206 and the slice (416 past the end), as a storage service does. Stubs opt in with
 * {@code .withTransformers(ByteRangesTransformer.NAME)}.
 */
final class ByteRangesTransformer implements ResponseDefinitionTransformerV2 {

    static final String NAME = "byte-ranges";
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
        ResponseDefinition response = serveEvent.getResponseDefinition();
        String range = serveEvent.getRequest().getHeader("Range");
        byte[] body = response.getByteBody();
        Matcher matcher = range == null ? null : RANGE.matcher(range);
        if (matcher == null || !matcher.matches() || response.getStatus() != 200 || body == null) {
            return response;
        }
        int start = (int) Math.min(Long.parseLong(matcher.group(1)), Integer.MAX_VALUE);
        if (start >= body.length) {
            return ResponseDefinitionBuilder.like(response).but().withStatus(416)
                    .withHeader("Content-Range", "bytes */" + body.length).withBody(new byte[0]).build();
        }
        return ResponseDefinitionBuilder.like(response).but().withStatus(206)
                .withHeader("Content-Range", "bytes " + start + "-" + (body.length - 1) + "/" + body.length)
                .withBody(Arrays.copyOfRange(body, start, body.length)).build();
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public String getName() {
        return NAME;
    }
}
