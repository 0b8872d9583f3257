package dev.mpath.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.InvalidAttributeValueException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanException;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.ReflectionException;

/**
 * An MBean whose attributes are named like sysfs files ({@code iopolicy},
 * {@code ana_state}, {@code delayed_removal_secs}), read through suppliers and, where
 * writable, set through consumers taking the attribute's text or number.
 */
final class AttributeMBean implements DynamicMBean {

  private record Attr(String type, String description, Supplier<?> getter, Consumer<Object> setter) {}

  private final String className;
  private final String description;
  private final Map<String, Attr> attrs = new LinkedHashMap<>();

  AttributeMBean(String className, String description) {
    this.className = className;
    this.description = description;
  }

  AttributeMBean ro(String name, Class<?> type, String description, Supplier<?> getter) {
    attrs.put(name, new Attr(type.getName(), description, getter, null));
    return this;
  }

  AttributeMBean rw(
      String name, Class<?> type, String description, Supplier<?> getter, Consumer<Object> setter) {
    attrs.put(name, new Attr(type.getName(), description, getter, setter));
    return this;
  }

  @Override
  public Object getAttribute(String name) throws AttributeNotFoundException {
    Attr a = attrs.get(name);
    if (a == null) {
      throw new AttributeNotFoundException(name);
    }
    return a.getter.get();
  }

  @Override
  public void setAttribute(Attribute attribute)
      throws AttributeNotFoundException, InvalidAttributeValueException, MBeanException {
    Attr a = attrs.get(attribute.getName());
    if (a == null) {
      throw new AttributeNotFoundException(attribute.getName());
    }
    if (a.setter == null) {
      throw new AttributeNotFoundException(attribute.getName() + " is read-only");
    }
    try {
      a.setter.accept(attribute.getValue());
    } catch (IllegalArgumentException | ClassCastException e) {
      throw new InvalidAttributeValueException(attribute.getName() + ": " + e.getMessage());
    }
  }

  @Override
  public AttributeList getAttributes(String[] names) {
    AttributeList list = new AttributeList();
    for (String n : names) {
      Attr a = attrs.get(n);
      if (a != null) {
        list.add(new Attribute(n, a.getter.get()));
      }
    }
    return list;
  }

  @Override
  public AttributeList setAttributes(AttributeList attributes) {
    AttributeList done = new AttributeList();
    for (Attribute a : attributes.asList()) {
      try {
        setAttribute(a);
        done.add(new Attribute(a.getName(), getAttribute(a.getName())));
      } catch (Exception e) {
        // JMX contract: attributes that could not be set are left out of the result
      }
    }
    return done;
  }

  @Override
  public Object invoke(String actionName, Object[] params, String[] signature)
      throws ReflectionException {
    throw new ReflectionException(new NoSuchMethodException(actionName));
  }

  @Override
  public MBeanInfo getMBeanInfo() {
    List<MBeanAttributeInfo> infos = new ArrayList<>();
    attrs.forEach(
        (name, a) ->
            infos.add(
                new MBeanAttributeInfo(name, a.type, a.description, true, a.setter != null, false)));
    return new MBeanInfo(
        className, description, infos.toArray(new MBeanAttributeInfo[0]), null,
        new MBeanOperationInfo[0], null);
  }
}
