package io.github.requestmerge.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class NodeTest {

    @Test
    void holdsManyFieldsInInsertionOrder() {
        Node node = new Node();
        for (int i = 0; i < 100; i++) {
            node.put("f" + i, (long) i);
        }
        assertEquals(100, node.size());
        for (int i = 0; i < 100; i++) {
            assertEquals("f" + i, node.name(i));
            assertEquals((long) i, node.get("f" + i));
        }
    }

    @Test
    void removeKeepsTheOrderOfTheOthers() {
        Node node = new Node();
        node.put("a", 1L);
        node.put("b", 2L);
        node.put("c", 3L);
        node.remove("b");
        assertEquals(2, node.size());
        assertEquals("c", node.name(1));
        assertNull(node.get("b"));
        node.put("d", 4L);
        assertEquals("d", node.name(2));
    }

    @Test
    void namesAreFoundByValueNotOnlyByInstance() {
        Node node = new Node();
        node.put("clicks", 1L);
        node.put(new String("clicks".toCharArray()), 2L);
        assertEquals(1, node.size());
        assertEquals(2L, node.get(new String("clicks".toCharArray())));
    }

    @Test
    void trimKeepsEverything() {
        Node node = new Node();
        for (int i = 0; i < 13; i++) {
            node.put("f" + i, "v" + i);
        }
        node.trim();
        assertEquals(26, node.capacity());
        node.put("f13", "v13");
        assertEquals("v13", node.get("f13"));
        assertEquals(14, node.size());
    }
}
