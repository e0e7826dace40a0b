package io.berth.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The curves' tables and chart, from figures made up for the test. */
class CurvesTest {
    private static final Report.Figure UPLOAD_1 = new Report.Figure("upload-mono-1", "upload, 1 client", "MiB/s", true);
    private static final Report.Figure UPLOAD_8 = new Report.Figure("upload-mono-8", "upload, 8 clients", "MiB/s", true);
    private static final Report.Figure UPLOAD_32 = new Report.Figure("upload-mono-32", "upload, 32 clients", "MiB/s", true);

    private static Report uploads() {
        Report report = new Report();
        report.add(UPLOAD_1, "Distribution", 1, 100, false);
        report.add(UPLOAD_1, "Distribution", 2, 120, false);
        report.add(UPLOAD_1, "Berth", 1, 150, false);
        report.add(UPLOAD_1, "Berth", 2, 170, false);
        report.add(UPLOAD_8, "Distribution", 1, 200, false);
        report.add(UPLOAD_8, "Berth", 1, 300, false);
        report.add(UPLOAD_32, "Distribution", 1, 220, false);
        report.add(UPLOAD_32, "Berth", 1, 330, false);
        return report;
    }

    private static List<ScaleBench.Point> scale() {
        List<ScaleBench.Point> points = new ArrayList<>();
        int[] tags = {1_000, 100_000, 1_000_000};
        for (int i = 0; i < tags.length; i++) {
            Map<String, Double> pages = new LinkedHashMap<>();
            pages.put("tags-first", 5.0 + i);
            pages.put("api-artifacts-big", 30.0 + 20 * i);
            points.add(new ScaleBench.Point(tags[i], 900 + 100 * i, 20_000 - 1_000 * i, 25_000, pages));
        }
        return points;
    }

    @Test
    void uploadCurveTableHasEachServersMedianAndTheRatioPerClientCount() {
        String text = new Curves(uploads(), List.of(), "SQLite").text();
        assertThat(text).containsPattern("(?m)^\\s+1\\s+110\\s+160\\s+1\\.45×$")
                .containsPattern("(?m)^\\s+8\\s+200\\s+300\\s+1\\.50×$")
                .containsPattern("(?m)^\\s+32\\s+220\\s+330\\s+1\\.50×$")
                .doesNotContain("Berth at");
    }

    @Test
    void scaleCurveTableHasAColumnPerStoreAndTheGrowthFromTheSmallest() {
        Curves curves = new Curves(new Report(), scale(), "PostgreSQL");
        assertThat(curves.any()).isTrue();
        String text = curves.text();
        assertThat(text).contains("Berth at 1k, 100k, 1M tags (PostgreSQL")
                .containsPattern("start-up to first 200 on /v2/, ms\\s+900\\s+1000\\s+1100\\s+1\\.22")
                .containsPattern("manifest GET by tag, req/s\\s+20,000\\s+19,000\\s+18,000\\s+0\\.90")
                .containsPattern("p99 api-artifacts-big, ms\\s+30\\.0\\s+50\\.0\\s+70\\.0\\s+2\\.33");
        assertThat(curves.markdown()).contains("![curves](curves.svg)", "| tags | 1k | 100k | 1M | 1M ÷ 1k |");
    }

    @Test
    void oneStoreOrOneUploadFigureIsNoCurve() {
        Report report = new Report();
        report.add(UPLOAD_1, "Berth", 1, 150, false);
        assertThat(new Curves(report, scale().subList(0, 1), "SQLite").any()).isFalse();
    }

    @Test
    void chartIsWellFormedSvgWithAPanelPerCurveALinePerSeriesAndTheTargets() throws Exception {
        String svg = new Curves(uploads(), scale(), "SQLite").svg();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        NodeList lines = doc.getElementsByTagName("polyline");
        // uploads: 2 servers; GET and HEAD: 2; pages: 2; start-up: 1
        assertThat(lines.getLength()).isEqualTo(7);
        assertThat(doc.getElementsByTagName("circle").getLength()).as("a dot per point").isEqualTo(2 * 3 + 2 * 3 + 2 * 3 + 3);
        assertThat(svg).contains(">Upload, a big blob per client<", ">Listing pages, p99 (SQLite)<", ">target 50<",
                ">target 1,500<", ">1k<", ">100k<", ">1M<", ">32<");
        // the start-up line rises from left to right: y shrinks as the value grows
        double[][] startup = points((Element) lines.item(6));
        assertThat(startup[0][0]).isLessThan(startup[1][0]);
        assertThat(startup[1][0]).isLessThan(startup[2][0]);
        assertThat(startup[0][1]).isGreaterThan(startup[1][1]);
        assertThat(startup[1][1]).isGreaterThan(startup[2][1]);
        // x is logarithmic: 100k sits two thirds of the way from 1k to 1M
        assertThat((startup[1][0] - startup[0][0]) / (startup[2][0] - startup[0][0])).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void onlyCurvesRunsTheUploadPointsAndTheScalePhaseAtThreeSizes() {
        Options curves = Options.parse(new String[] {"--only", "curves"});
        assertThat(curves.only).containsExactly(Options.WARM_UP, "upload-mono-1", "upload-mono-8", "upload-mono-32",
                ScaleBench.PHASE, Curves.PHASE);
        assertThat(curves.runsRounds()).isTrue();
        assertThat(curves.scaleSizes()).containsExactly(1_000, 100_000, 1_000_000);
        assertThat(Options.parse(new String[] {"--only", "curves", "--quick"}).scaleSizes()).containsExactly(1_000, 3_000, 10_000);
        assertThat(Options.parse(new String[] {"--only", "scale"}).scaleSizes()).containsExactly(1_000_000);
        assertThat(Options.parse(new String[] {"--only", "scale", "--scale-tags", "5000,2_000"}).scaleSizes())
                .containsExactly(2_000, 5_000);
        assertThat(Options.parse(new String[0]).runs(Curves.PHASE)).as("opt-in").isFalse();
        assertThat(Options.parse(new String[0]).runs(Options.OPT_IN_MONO_32)).as("opt-in: 8 GiB in memory").isFalse();
    }

    @Test
    void countsAreShortWhereRound() {
        assertThat(Curves.count(1_000)).isEqualTo("1k");
        assertThat(Curves.count(100_000)).isEqualTo("100k");
        assertThat(Curves.count(1_000_000)).isEqualTo("1M");
        assertThat(Curves.count(2_500)).isEqualTo("2,500");
        assertThat(Curves.count(1_500_000)).isEqualTo("1500k");
    }

    @Test
    void niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        assertThat(SvgChart.niceStep(1_000)).isEqualTo(200);
        assertThat(SvgChart.niceStep(73)).isEqualTo(20);
        assertThat(SvgChart.niceStep(0.4)).isEqualTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
    }

    private static double[][] points(Element polyline) {
        String[] pairs = polyline.getAttribute("points").trim().split(" ");
        double[][] xy = new double[pairs.length][];
        for (int i = 0; i < pairs.length; i++) {
            String[] v = pairs[i].split(",");
            xy[i] = new double[] {Double.parseDouble(v[0]), Double.parseDouble(v[1])};
        }
        return xy;
    }
}
